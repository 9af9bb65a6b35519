import yaml from "js-yaml";
import { LoggingArtifact } from "../../components/logging/names";
import { RELEASE_DIR, RELEASE_FILE } from "../../components/logging/release";
import { renderArtifacts } from "../../scripts/artifacts";
import { parseStackFileConfig } from "../../scripts/synth-lib";
import { stackFile } from "../support/program";
import { type FilebeatYaml, filebeatEvent, filebeatFields } from "./filebeat-events";
import { logstashDocument } from "./logstash-filters";
import { documentErrors, type FieldMapping } from "./opensearch-documents";

/**
 * The mapping-conflict check: every kind of event each Filebeat input of the rendered
 * filebeat.yml sends (with the fields Filebeat 8.19.2 and the configured processors add), run
 * through the rendered Logstash filters, must be a document the rendered index template accepts.
 */

const config = parseStackFileConfig("prod", stackFile("prod"));
const artifacts = renderArtifacts(config);
const conf = artifacts[LoggingArtifact.logstashPipeline];
const filebeat = yaml.load(artifacts[LoggingArtifact.filebeat]) as FilebeatYaml;
const template = JSON.parse(artifacts[LoggingArtifact.indexTemplate]) as {
  template: { mappings: FieldMapping };
};
const mappings = template.template.mappings;

/** Real-format lines of each kind: one that its branch parses, and one it does not. */
const LINES: Record<string, Record<string, string>> = {
  "gunicorn-access": {
    parsed:
      '10.0.3.7 - - [03/Dec/2026:17:05:12 +0000] "GET /api/tasks?id=4 HTTP/1.1" 502 1234 "-" "python-requests/2.32.3" 734512',
    unparsed: "[2026-12-03 17:05:12 +0000] [7] [INFO] Booting worker with pid: 7",
  },
  "nginx-access": {
    parsed:
      '203.0.113.9 - alice [03/Dec/2026:17:05:12 +0100] "POST /api/dispatch HTTP/2.0" 200 512 "https://port8000.example/ui" "curl/8.5.0" 0.123',
    unparsed: "2026/12/03 17:05:12 [error] 31#31: *1 connect() failed (111: Connection refused)",
  },
  werkzeug: {
    parsed: 'INFO:werkzeug:127.0.0.1 - - [03/Dec/2026 17:05:12] "GET /health HTTP/1.1" 503 -',
    unparsed: " * Running on http://127.0.0.1:8000",
  },
  json: {
    parsed:
      '{"timestamp":"2026-12-03T17:05:12.120Z","event":"websocket_disconnect","bot":"bot-3","level":"WARNING","message":"client went away","task_id":"task-41","client_id":"c-9","worker":2}',
    unparsed: "Traceback (most recent call last):",
  },
  journald: { parsed: "Started kubelet.service - kubelet: The Kubernetes Node Agent." },
  container: { parsed: 'ts=2026-12-03T17:05:12.345Z level=info msg="Server is ready"' },
};

/** The path of the (first) field of a document that holds this value. */
function pathHolding(doc: unknown, value: unknown, path: string[] = []): string[] | undefined {
  if (doc === value) return path;
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return undefined;
  for (const [key, child] of Object.entries(doc)) {
    const found = pathHolding(child, value, [...path, key]);
    if (found) return found;
  }
  return undefined;
}
const mappingAt = (root: FieldMapping, path: string[]): FieldMapping | undefined =>
  path.reduce<FieldMapping | undefined>((m, key) => m?.properties?.[key], root);

const inputs = filebeat["filebeat.inputs"];
const kindOf = (i: (typeof inputs)[number]) => String(i.fields?.log_kind);
const cases = inputs.flatMap((input) => {
  const lines = LINES[kindOf(input)];
  if (!lines) throw new Error(`no sample lines for log kind ${kindOf(input)} (input ${input.id})`);
  return Object.entries(lines).map(([what, line]) => [input.id, what, input, line] as const);
});
/** The release dictionary as the Logstash sidecar writes it (tests/logging/release.test.ts). */
const RELEASE = { [`${RELEASE_DIR}/${RELEASE_FILE}`]: 'port8000: "1.4.2 (commit abc1234)"\n' };
const documentOf = (input: (typeof inputs)[number], line: string) =>
  logstashDocument(conf, filebeatEvent(filebeat, input, line), RELEASE);

describe("the mapping-conflict check: every input's events through the pipeline into the index template", () => {
  it.each(cases)("%s, a line its branch %s, is indexed", (_id, _what, input, line) => {
    expect(documentErrors(mappings, documentOf(input, line))).toEqual([]);
  });

  it.each(cases.filter(([, what]) => what === "parsed"))(
    "%s: the branch of its kind really ran (fields parsed, no failure tag)",
    (_id, _what, input, line) => {
      const doc = documentOf(input, line);
      expect((doc.tags as string[]).filter((t) => t.includes("failure"))).toEqual([]);
      const kind = kindOf(input);
      if (["gunicorn-access", "nginx-access", "werkzeug"].includes(kind))
        expect(typeof doc.status).toBe("number");
      if (kind === "json")
        expect(doc).toMatchObject({ event: "websocket_disconnect", bot: "bot-3" });
      if (kind !== "journald" && kind !== "container") expect(doc).not.toHaveProperty("timestamp");
    },
  );

  it("the journal's events keep the time Filebeat read them, in a date field", () => {
    const journal = inputs.find((i) => i.type === "journald");
    if (!journal) throw new Error("no journald input");
    const doc = documentOf(journal, LINES.journald.parsed);
    expect(documentErrors(mappings, doc)).toEqual([]);
    const readAt = filebeatFields("journald")["event.created"];
    const path = pathHolding(doc, readAt);
    expect(path).toBeDefined();
    expect(mappingAt(mappings, path ?? [])?.type).toBe("date");
  });
});

describe("the check refuses what OpenSearch refuses", () => {
  const m: FieldMapping = {
    dynamic: false,
    properties: {
      event: { type: "keyword" },
      host: { properties: { name: { type: "keyword" } } },
      status: { type: "integer" },
      bytes: { type: "long" },
      at: { type: "date" },
      ip: { type: "ip" },
      ok: { type: "boolean" },
      loose: { type: "integer", ignore_malformed: true },
      strict: { dynamic: "strict", properties: { a: { type: "keyword" } } },
    },
  };
  it.each([
    ["an object into a keyword", { event: { kind: "event" } }, "event"],
    ["a value into an object mapping", { host: "node-1" }, "host"],
    ["a dotted key that makes an object of a keyword", { "event.kind": "event" }, "event"],
    ["a string that is no number", { status: "5xx" }, "status"],
    ["a number beyond integer's range", { status: 2 ** 31 }, "status"],
    ["a boolean into a number", { bytes: true }, "bytes"],
    ["a date in another format", { at: "03/Dec/2026:17:05:12 +0000" }, "at"],
    ["a month 13", { at: "2026-13-01T00:00:00Z" }, "at"],
    ["a host name into an ip", { ip: "db.internal" }, "ip"],
    ["a word into a boolean", { ok: "yes" }, "ok"],
    ["an unknown key under dynamic: strict", { strict: { b: "x" } }, "b"],
  ])("%s", (_what, doc, field) => {
    const errors = documentErrors(m, doc);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(field);
  });

  it("and accepts OpenSearch's coercions and dynamic: false", () => {
    expect(
      documentErrors(m, {
        event: 42,
        status: "502",
        bytes: 12.7,
        at: "2026-12-03T17:05:12.401234567Z",
        ip: "2001:db8::1",
        ok: "false",
        loose: "n/a",
        unmapped: { any: ["thing"] },
        host: [{ name: "a" }, { name: "b" }],
      }),
    ).toEqual([]);
    expect(documentErrors(m, { at: 1_764_781_512_000 })).toEqual([]);
  });
});
