import yaml from "js-yaml";
import { evidenceQuery } from "../../automation/evidence";
import { LoggingArtifact } from "../../components/logging/names";
import { LogField, logstashRef, PipelineField } from "../../lib/log-fields";
import { renderArtifacts } from "../../scripts/artifacts";
import { configOf } from "./support";

/**
 * lib/log-fields.ts is the one list of the log documents' fields: the rendered index template
 * maps exactly those, Filebeat stamps only those, and the evidence poller (which cannot import
 * it: it runs unbuilt on Node builtins only) searches only those.
 */

const artifacts = renderArtifacts(configOf("prod"));
const LOG_FIELDS: string[] = Object.values(LogField);

interface Mapping {
  properties?: Record<string, Mapping>;
  type?: string;
}

/** Dotted paths of the leaves of an OpenSearch mapping. */
function mappedPaths(properties: Record<string, Mapping>, prefix = ""): string[] {
  return Object.entries(properties).flatMap(([name, m]) =>
    m.properties ? mappedPaths(m.properties, `${prefix}${name}.`) : [`${prefix}${name}`],
  );
}

/** Field names an OpenSearch search body filters on, sorts by, aggregates or returns. */
function queriedFields(body: unknown): string[] {
  if (Array.isArray(body)) return body.flatMap(queriedFields);
  if (typeof body !== "object" || body === null) return [];
  return Object.entries(body).flatMap(([key, value]) => {
    if (["range", "term", "terms"].includes(key)) {
      // A terms aggregation names its field; a terms query is keyed by it.
      const { field } = value as { field?: string };
      return field ? [field] : Object.keys(value as object);
    }
    if (key === "_source") return value as string[];
    if (key === "sort") return (value as object[]).flatMap((s) => Object.keys(s));
    return queriedFields(value);
  });
}

describe("the log fields module", () => {
  const template = JSON.parse(artifacts[LoggingArtifact.indexTemplate]) as {
    template: { mappings: { properties: Record<string, Mapping> } };
  };
  const mapped = mappedPaths(template.template.mappings.properties);

  it("is what the rendered index template maps, field for field", () => {
    expect(mapped).toContain("kubernetes.pod.name");
    expect([...mapped].sort()).toEqual([...LOG_FIELDS].sort());
  });

  it("keeps the pipeline's own fields out of the index", () => {
    expect(Object.values(PipelineField).filter((f) => mapped.includes(f))).toEqual([]);
  });

  it("names every field a Filebeat input or processor adds", () => {
    const filebeat = yaml.load(artifacts[LoggingArtifact.filebeat]) as {
      "filebeat.inputs": { fields: Record<string, string> }[];
      processors: { add_fields?: { target: string; fields: Record<string, string> } }[];
    };
    const inputFields = filebeat["filebeat.inputs"].flatMap((i) => Object.keys(i.fields));
    const added = filebeat.processors.flatMap((p) =>
      p.add_fields
        ? Object.keys(p.add_fields.fields).map((f) => `${p.add_fields?.target}.${f}`)
        : [],
    );
    expect([...new Set([...inputFields, ...added])].sort()).toEqual(
      ["host.name", "log_kind", "log_source", "service"].sort(),
    );
    expect([...inputFields, ...added].filter((f) => !LOG_FIELDS.includes(f))).toEqual([]);
  });

  it("holds every field the evidence poller searches, sorts, aggregates or reads", () => {
    const options = { maxSamples: 5, window: "15m" };
    const fields = [
      ...queriedFields(evidenceQuery("errors", options)),
      ...queriedFields(evidenceQuery("clients", options)),
    ];
    expect(fields).toEqual(expect.arrayContaining(["@timestamp", "service", "client_id"]));
    expect([...new Set(fields)].filter((f) => !LOG_FIELDS.includes(f))).toEqual([]);
  });

  it("spells a dotted path as Logstash's field reference", () => {
    expect(logstashRef("client.ip")).toBe("[client][ip]");
    expect(logstashRef("log_kind")).toBe("[log_kind]");
    expect(artifacts[LoggingArtifact.logstashPipeline]).toContain(
      '"[event][created]" => "read_at"',
    );
  });
});
