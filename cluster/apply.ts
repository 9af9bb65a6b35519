import {
  type ApiResource,
  discover,
  type KubeObject,
  type KubeTarget,
  serverSideApply,
} from "./kube";
import type { DeclaredObject } from "./objects";

/**
 * Applies declared objects the way a deploy would (server-side apply, strict field validation)
 * and records the server's verdict on each: applied, rejected (with the server's message), or
 * applied with fields the server dropped or rewrote.
 */

export type Verdict = "applied" | "rejected" | "changed";

export interface ApplyResult {
  readonly source: string;
  readonly object: string;
  readonly verdict: Verdict;
  readonly status: number;
  readonly message?: string;
  /** Fields sent but absent from what the server stored (pruned), as paths. */
  readonly lost: readonly string[];
  /** Fields stored with another value than sent: `path: sent → stored`. */
  readonly rewritten: readonly string[];
  readonly warnings: readonly string[];
}

export function objectId(o: KubeObject): string {
  const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : "";
  return `${o.apiVersion} ${o.kind} ${ns}${o.metadata?.name}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Nothing to lose: the API server omits zero values (false, 0, "", null, [], {}). */
function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === "") {
    return true;
  }
  if (Array.isArray(value)) return value.length === 0;
  return isRecord(value) && Object.keys(value).length === 0;
}

const QUANTITY = /^(\d+(?:\.\d+)?)(m|k|M|G|Ki|Mi|Gi)?$/;
const SCALE: Record<string, number> = {
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
};

/** The server stores quantities in canonical form: "1000m" is stored as "1". */
function sameQuantity(a: unknown, b: unknown): boolean {
  const [x, y] = [QUANTITY.exec(String(a)), QUANTITY.exec(String(b))];
  if (!x || !y || typeof a !== "string") return false;
  const value = (m: RegExpExecArray) => Number(m[1]) * (m[2] ? SCALE[m[2]] : 1);
  return Math.abs(value(x) - value(y)) < 1e-9;
}

/** Paths of `sent` that `stored` lacks or holds with another value. */
export function compareStored(
  sent: unknown,
  stored: unknown,
  path = "",
): { lost: string[]; rewritten: string[] } {
  const lost: string[] = [];
  const rewritten: string[] = [];
  if (Array.isArray(sent) || isRecord(sent)) {
    const keys = Array.isArray(sent) ? sent.map((_, i) => i) : Object.keys(sent);
    for (const key of keys) {
      const child = `${path}${Array.isArray(sent) ? `[${key}]` : `.${key}`}`;
      const next = (stored as Record<string | number, unknown> | undefined)?.[key];
      const value = (sent as Record<string | number, unknown>)[key];
      if (next === undefined && !isEmpty(value)) lost.push(child);
      else if (next !== undefined) {
        const deeper = compareStored(value, next, child);
        lost.push(...deeper.lost);
        rewritten.push(...deeper.rewritten);
      }
    }
  } else if (sent !== stored && sent !== null && !sameQuantity(sent, stored)) {
    rewritten.push(`${path}: ${JSON.stringify(sent)} → ${JSON.stringify(stored)}`);
  }
  return { lost, rewritten };
}

/** What the API server turns into something else by design, never a loss. */
function comparable(object: KubeObject): KubeObject {
  if (object.kind !== "Secret") return object;
  const { stringData: _converted, ...rest } = object;
  return rest as KubeObject;
}

function messageOf(body: unknown): string {
  return isRecord(body) && typeof body.message === "string" ? body.message : JSON.stringify(body);
}

const PHASES: readonly ((o: KubeObject) => boolean)[] = [
  (o) => o.kind === "Namespace",
  (o) => o.kind === "CustomResourceDefinition",
  // Admission webhooks last: their Services have no Pods behind them here.
  (o) => !/WebhookConfiguration$/.test(o.kind),
  () => true,
];

export interface ApplyAllOptions {
  readonly fieldManager: string;
  readonly dryRun?: boolean;
}

async function applyOne(
  target: KubeTarget,
  kinds: Map<string, ApiResource>,
  { source, object }: DeclaredObject,
  namespace: string | undefined,
  options: ApplyAllOptions,
): Promise<ApplyResult> {
  const resource = kinds.get(`${object.apiVersion}/${object.kind}`);
  const id = objectId(object);
  const base = { source, object: id, lost: [], rewritten: [], warnings: [] };
  if (!resource) {
    const message = `the server does not serve ${object.apiVersion} ${object.kind}`;
    return { ...base, verdict: "rejected", status: 404, message };
  }
  // As Helm and kubectl do: a namespace on a cluster-scoped object is ignored.
  const { namespace: _ignored, ...clusterScoped } = object.metadata;
  const placed = !resource.namespaced
    ? { ...object, metadata: clusterScoped as KubeObject["metadata"] }
    : object.metadata.namespace
      ? object
      : { ...object, metadata: { ...object.metadata, namespace: namespace ?? "default" } };
  const res = await serverSideApply(target, resource, placed, options);
  if (res.status >= 300) {
    return {
      ...base,
      warnings: res.warnings,
      verdict: "rejected",
      status: res.status,
      message: messageOf(res.body),
    };
  }
  const { lost, rewritten } = compareStored(comparable(placed), res.body);
  const verdict = lost.length || rewritten.length ? "changed" : "applied";
  return { ...base, warnings: res.warnings, verdict, status: res.status, lost, rewritten };
}

/**
 * Applies in phases (namespaces, CRDs, everything else, admission webhooks), reading discovery
 * again after each phase so kinds the previous phase defined are found.
 */
export async function applyAll(
  target: KubeTarget,
  objects: readonly DeclaredObject[],
  options: ApplyAllOptions,
  namespaceOf: (d: DeclaredObject) => string | undefined = () => undefined,
): Promise<ApplyResult[]> {
  const results: ApplyResult[] = [];
  const done = new Set<DeclaredObject>();
  for (const inPhase of PHASES) {
    const batch = objects.filter((d) => !done.has(d) && inPhase(d.object));
    if (batch.length === 0) continue;
    const kinds = await discover(target);
    for (const declared of batch) {
      done.add(declared);
      results.push(await applyOne(target, kinds, declared, namespaceOf(declared), options));
    }
  }
  return results;
}
