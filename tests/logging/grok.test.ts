import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { PROCESSOR_FIELDS } from "../../components/logging/filebeat";
import { BOT_EVENT_FIELDS, DATE_FORMATS } from "../../components/logging/grok";
import { LoggingArtifact } from "../../components/logging/names";
import { FIELD_TYPES } from "../../components/opensearch/documents";
import { ArtifactPath } from "../../lib/conventions";
import { type CompiledGrok, compiledPipeline } from "../../lib/grok";
import { LogField } from "../../lib/log-fields";
import { renderArtifacts } from "../../scripts/artifacts";
import { parseStackFileConfig } from "../../scripts/synth-lib";
import { validateArtifacts } from "../../scripts/validators";
import { tempDir } from "../alertmanager/support";
import { stackFile } from "../support/program";

const config = parseStackFileConfig("prod", stackFile("prod"));
const artifacts = renderArtifacts(config);
const conf = artifacts[LoggingArtifact.logstashPipeline];
const groks = compiledPipeline(conf);
const grok = (kind: string): CompiledGrok => {
  const g = groks[kind];
  if (!g) throw new Error(`no grok for ${kind}; have ${Object.keys(groks).join(", ")}`);
  return g;
};

const GUNICORN_5XX =
  '10.0.3.7 - - [03/Dec/2026:17:05:12 +0000] "GET /api/tasks?id=4 HTTP/1.1" 502 1234 "-" "python-requests/2.32.3" 734512';
const NGINX =
  '203.0.113.9 - alice [03/Dec/2026:17:05:12 +0000] "POST /api/dispatch HTTP/2.0" 200 512 "https://port8000.example/ui" "curl/8.5.0"';
const NGINX_TIMED = `${NGINX} 0.123`;
const WERKZEUG = '127.0.0.1 - - [03/Dec/2026 17:05:12] "GET /health HTTP/1.1" 503 -';
const WERKZEUG_LOGGING = `INFO:werkzeug:${WERKZEUG}`;

describe("the pipeline's grok patterns, expanded and compiled as Logstash does", () => {
  it("cover the three access log kinds", () => {
    expect(Object.keys(groks).sort()).toEqual(["gunicorn-access", "nginx-access", "werkzeug"]);
  });

  it("read a gunicorn access line into client, request, numeric status and duration", () => {
    expect(grok("gunicorn-access").parse(GUNICORN_5XX)).toEqual({
      "client.ip": "10.0.3.7",
      ident: "-",
      "user.name": "-",
      timestamp: "03/Dec/2026:17:05:12 +0000",
      "http.method": "GET",
      "url.path": "/api/tasks",
      "url.query": "?id=4",
      "http.version": "1.1",
      status: 502,
      bytes: 1234,
      referrer: "-",
      "user_agent.original": "python-requests/2.32.3",
      duration_us: 734512,
    });
  });

  it("read an Nginx combined line, with and without $request_time", () => {
    const plain = grok("nginx-access").parse(NGINX);
    expect(plain).toMatchObject({ "user.name": "alice", status: 200, "url.path": "/api/dispatch" });
    expect(plain).not.toHaveProperty("request_time_s");
    expect(grok("nginx-access").parse(NGINX_TIMED)).toMatchObject({ request_time_s: 0.123 });
  });

  it("read Werkzeug's request line, bare and behind Python logging's prefix", () => {
    const expected = { "client.ip": "127.0.0.1", "url.path": "/health", status: 503 };
    expect(grok("werkzeug").parse(WERKZEUG)).toMatchObject(expected);
    expect(grok("werkzeug").parse(WERKZEUG_LOGGING)).toMatchObject({ ...expected, level: "INFO" });
  });

  it.each([
    ["gunicorn-access", "hello world"],
    ["gunicorn-access", NGINX],
    ["gunicorn-access", GUNICORN_5XX.replace(" 502 ", " abc ")],
    ["nginx-access", GUNICORN_5XX.replace(" 502 ", " 5O2 ")],
    ["nginx-access", '{"event":"dispatch","bot":"bot-1"}'],
    ["werkzeug", GUNICORN_5XX],
    ["werkzeug", WERKZEUG.replace("GET /health", "GET health")],
  ])("reject what is not a %s line: %s", (kind, line) => {
    expect(grok(kind).parse(line)).toBeUndefined();
  });
});

/** Joda patterns of the date filter, as regular expressions over the whole timestamp. */
function jodaRegExp(format: string): RegExp {
  if (format === "ISO8601")
    return /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
  const tokens: Record<string, string> = {
    dd: "\\d{2}",
    MMM: "[A-Z][a-z]{2}",
    yyyy: "\\d{4}",
    HH: "\\d{2}",
    mm: "\\d{2}",
    ss: "\\d{2}",
    Z: "[+-]\\d{4}",
  };
  const body = format.replace(/dd|MMM|yyyy|HH|mm|ss|Z/g, (t) => tokens[t]);
  return new RegExp(`^${body}$`);
}

describe("the date filter", () => {
  it.each([
    ["gunicorn-access", GUNICORN_5XX],
    ["nginx-access", NGINX],
    ["werkzeug", WERKZEUG],
  ])("parses the timestamp %s captures", (kind, line) => {
    const timestamp = String(grok(kind).parse(line)?.timestamp);
    expect(DATE_FORMATS.some((f) => jodaRegExp(f).test(timestamp))).toBe(true);
    expect(conf).toContain('match => ["timestamp"');
  });

  it("parses a bot event's ISO 8601 timestamp", () => {
    expect(DATE_FORMATS.some((f) => jodaRegExp(f).test("2026-12-03T17:05:12.120Z"))).toBe(true);
  });
});

/** Field names a KQL query filters on (`field:value`, `field >= n`), templates removed. */
function kqlFields(query: string): string[] {
  const plain = query.replace(/\{\{.*?\}\}/g, "x").replace(/"[^"]*"/g, '""');
  return [...plain.matchAll(/([A-Za-z_@][\w./]*)\s*(?::|>=|<=|>|<)/g)].map((m) => m[1]);
}

function logQueries(): string[] {
  const rules = yaml.load(artifacts[ArtifactPath.rules]) as {
    groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[];
  };
  return rules.groups
    .flatMap((g) => g.rules)
    .filter((r) => r.alert)
    .map((r) => {
      const url = r.annotations?.logs_url ?? "";
      const encoded = /query:'(.*)'\)\)$/.exec(url)?.[1];
      if (!encoded) throw new Error(`${r.alert}: no KQL query in logs_url ${url}`);
      return decodeURIComponent(encoded.replace(/!'/g, "'"));
    });
}

/** Fields the pipeline fills: grok captures, the ruby/copy targets, JSON events, Filebeat. */
function filledFields(): Set<string> {
  const grokFields = Object.values(groks).flatMap((g) =>
    Object.values(g.captures).map((c) => c.field),
  );
  const setByFilters = [...conf.matchAll(/event\.set\('([\w.]+)'|=> "(\w+)" \}/g)].map(
    (m) => m[1] ?? m[2],
  );
  const filebeat = yaml.load(artifacts[LoggingArtifact.filebeat]) as {
    "filebeat.inputs": { fields: Record<string, string>; paths?: string[] }[];
    processors: Record<string, unknown>[];
  };
  const inputs = filebeat["filebeat.inputs"];
  const inputFields = inputs.flatMap((i) => Object.keys(i.fields));
  // add_kubernetes_metadata matches events by their container log path, and only those.
  const readsContainers = inputs.some((i) =>
    (i.paths ?? []).some((p) => p.startsWith("/var/log/containers/")),
  );
  const processorFields = filebeat.processors
    .map((p) => Object.keys(p)[0])
    .filter((name) => name !== "add_kubernetes_metadata" || readsContainers)
    .flatMap((name) => PROCESSOR_FIELDS[name] ?? []);
  return new Set([
    ...grokFields,
    ...setByFilters,
    ...BOT_EVENT_FIELDS,
    ...inputFields,
    ...processorFields,
    "@timestamp",
  ]);
}

describe("every field an alert's log link searches", () => {
  const queries = logQueries();
  const fields = [...new Set(queries.flatMap(kqlFields))].sort();

  it("are found in the rule file (the test reads real links)", () => {
    expect(queries.length).toBeGreaterThan(10);
    expect(fields).toEqual(expect.arrayContaining(["service", "status", "duration_ms"]));
  });

  it("are named in lib/log-fields.ts and mapped by the index template", () => {
    const named: string[] = Object.values(LogField);
    expect(fields.filter((f) => !named.includes(f))).toEqual([]);
    expect(fields.filter((f) => !(f in FIELD_TYPES))).toEqual([]);
  });

  it("are filled by the pipeline", () => {
    const filled = filledFields();
    expect(fields.filter((f) => !filled.has(f))).toEqual([]);
  });

  it("compare numbers where they compare with >=", () => {
    const numeric = queries.flatMap((q) => [...q.matchAll(/([\w.]+)\s*>=/g)].map((m) => m[1]));
    for (const field of numeric) expect(["integer", "long", "float"]).toContain(FIELD_TYPES[field]);
  });
});

describe("bot events (JSON lines)", () => {
  it("map every field a bot event carries", () => {
    const unmapped = BOT_EVENT_FIELDS.filter((f) => f !== "timestamp" && !(f in FIELD_TYPES));
    expect(unmapped).toEqual([]);
  });

  it("are parsed by the json filter only for the json kind", () => {
    expect(conf).toMatch(/if \[log_kind\] == "json" \{\s*json \{\s*source => "message"/);
  });
});

describe("the synth validator of the pipeline's grok", () => {
  const validate = (conf: string) => {
    const dir = tempDir("grok-validator");
    mkdirSync(join(dir, "logging", "logstash"), { recursive: true });
    writeFileSync(join(dir, LoggingArtifact.logstashPipeline), conf);
    return validateArtifacts(dir, [LoggingArtifact.logstashPipeline]);
  };

  it("passes the rendered pipeline", () => {
    expect(validate(conf).map((v) => [v.validator, v.ok])).toEqual([
      ["grok expand+compile (oniguruma-to-es)", true],
    ]);
  });

  it("fails a pipeline naming a pattern that does not exist", () => {
    const [result] = validate(conf.replace("%{PORT8000_REQUEST}", "%{NO_SUCH_PATTERN}"));
    expect(result.ok).toBe(false);
    expect(result.output).toContain("%{NO_SUCH_PATTERN} is not defined");
  });
});
