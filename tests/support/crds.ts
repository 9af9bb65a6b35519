import Ajv, { type ValidateFunction } from "ajv";
import { vendoredCrds } from "../../cluster/crds";

/** Validates custom resources against the pinned CRDs' OpenAPI v3 schemas. */

interface Crd {
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; schema?: { openAPIV3Schema: object } }[];
  };
}

/** CRD patterns are Go regular expressions; their inline `(?i)` becomes JavaScript's `i` flag. */
function goRegExp(pattern: string, flags: string) {
  const insensitive = pattern.includes("(?i)");
  return new RegExp(pattern.replaceAll("(?i)", ""), insensitive ? `${flags}i` : flags);
}
goRegExp.code = "goRegExp";

const ajv = new Ajv({
  strict: false,
  allErrors: true,
  validateFormats: false,
  code: { regExp: goRegExp },
});
let schemas: Map<string, object> | undefined;
const validators = new Map<string, ValidateFunction>();

function loadSchemas(): Map<string, object> {
  const map = new Map<string, object>();
  for (const doc of vendoredCrds() as unknown as Crd[]) {
    for (const version of doc.spec.versions) {
      if (!version.schema) continue;
      const key = `${doc.spec.group}/${version.name}/${doc.spec.names.kind}`;
      map.set(key, version.schema.openAPIV3Schema);
    }
  }
  return map;
}

interface StructuralSchema {
  properties?: Record<string, StructuralSchema>;
  additionalProperties?: StructuralSchema | boolean;
  items?: StructuralSchema;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
}

/**
 * Paths the API server would prune: keys a structural schema does not declare. Ajv lets them
 * through, but Kubernetes drops them silently, so the operator never sees them.
 */
function prunedPaths(schema: StructuralSchema, value: unknown, path: string): string[] {
  if (schema["x-kubernetes-preserve-unknown-fields"]) return [];
  const { items } = schema;
  if (Array.isArray(value))
    return items ? value.flatMap((v, i) => prunedPaths(items, v, `${path}/${i}`)) : [];
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const declared = schema.properties?.[key];
    if (declared) return prunedPaths(declared, child, `${path}/${key}`);
    const extra = schema.additionalProperties;
    if (typeof extra === "object") return prunedPaths(extra, child, `${path}/${key}`);
    return extra === true ? [] : [`${path}/${key} is not in the schema (the API server prunes it)`];
  });
}

/** Returns the schema errors of one resource; throws when no CRD declares its kind. */
export function crdErrors(resource: { apiVersion: string; kind: string }): string[] {
  schemas ??= loadSchemas();
  const key = `${resource.apiVersion}/${resource.kind}`;
  const schema = schemas.get(key);
  if (!schema) throw new Error(`no pinned CRD for ${resource.apiVersion} ${resource.kind}`);
  const validate = validators.get(key) ?? ajv.compile(schema);
  validators.set(key, validate);
  // metadata is the API server's own ObjectMeta, not described by the CRD.
  const { metadata: _, ...body } = resource as Record<string, unknown>;
  const pruned = prunedPaths(schema as StructuralSchema, body, "");
  if (validate(resource)) return pruned;
  return [
    ...(validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`),
    ...pruned,
  ];
}
