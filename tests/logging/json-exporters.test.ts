import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import {
  createServer as createPlainServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import yaml from "js-yaml";
import {
  FILEBEAT_EXPORTER_MODULE,
  FILEBEAT_STATS_URL,
  filebeatExporterYaml,
} from "../../components/logging/filebeat-exporter";
import { METRICS_USER } from "../../components/logging/names";
import {
  StateModule,
  stateExporterYaml,
  stateTargets,
} from "../../components/opensearch/state-exporter";
import { Job } from "../../lib/conventions";
import { requireTool } from "../../lib/tools";
import { VENDOR_DIR } from "../../lib/vendored";
import { committedRules } from "../alerts/support";
import { tempDir } from "../support/temp";
import { waitUntil } from "../support/wait";
import { configOf } from "./support";

/**
 * The real json_exporter (the release the sidecars run, built by `npm run tools`) reads the
 * rendered module configs and serves vendored responses of the APIs they scrape: Filebeat
 * 8.19.2's /stats and the index-management plugin's SM and ISM explain answers at 2.19.2.0. A
 * fixture HTTPS server stands in for OpenSearch and checks what the exporter sends (basic auth
 * from the password file, the ISM filter body), so the credentials and TLS wiring are real too.
 */

jest.setTimeout(60_000);

const PASSWORD = "scrape-user-password";
const fixture = (file: string) => readFileSync(join(VENDOR_DIR, file), "utf8");
const FIXTURES: Record<string, string> = {
  "/stats": fixture("filebeat-8.19.2/stats.json"),
  [new URL(stateTargets(configOf("prod"))[StateModule.snapshots]).pathname]: fixture(
    "index-management-2.19.2.0/sm-explain.json",
  ),
  [new URL(stateTargets(configOf("prod"))[StateModule.ism]).pathname]: fixture(
    "index-management-2.19.2.0/ism-explain-failed.json",
  ),
};

interface Seen {
  readonly path: string;
  readonly method: string;
  readonly auth: string;
  readonly contentType: string;
  readonly body: string;
}

function answer(seen: Seen[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const path = decodeURIComponent(new URL(req.url ?? "/", "https://x").pathname);
      seen.push({
        path,
        method: req.method ?? "",
        auth: req.headers.authorization ?? "",
        contentType: req.headers["content-type"] ?? "",
        body,
      });
      const expected = `Basic ${Buffer.from(`${METRICS_USER}:${PASSWORD}`).toString("base64")}`;
      if (path !== "/stats" && req.headers.authorization !== expected) {
        res.writeHead(401).end();
        return;
      }
      const found = FIXTURES[path];
      res.writeHead(found ? 200 : 404, { "content-type": "application/json" }).end(found ?? "{}");
    });
  };
}

/** A CA-less self-signed certificate for 127.0.0.1: it is its own CA file. */
function certificate(dir: string) {
  const key = join(dir, "tls.key");
  const cert = join(dir, "ca.crt");
  execFileSync("openssl", [
    ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
    ...["-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=opensearch-fixture"],
    ...["-addext", "subjectAltName=IP:127.0.0.1"],
  ]);
  return { key: readFileSync(key), cert: readFileSync(cert), certFile: cert };
}

/** The rendered config with the pod's mount paths pointed at this test's files. */
function localConfig(rendered: string, dir: string, caFile: string): string {
  writeFileSync(join(dir, "password"), PASSWORD);
  return rendered
    .replaceAll("/etc/opensearch-user/password", join(dir, "password"))
    .replaceAll("/etc/opensearch-ca/ca.crt", caFile);
}

type Sample = { name: string; labels: Record<string, string>; value: number };

function samples(text: string): Sample[] {
  return text
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`unparsed sample: ${line}`);
      const labels = Object.fromEntries(
        [...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]),
      );
      return { name: m[1], labels, value: Number(m[3]) };
    });
}

/** Metric names the committed rules read from `job`. */
function ruleMetrics(job: string): string[] {
  const exprs = committedRules()
    .groups.flatMap((g) => g.rules)
    .map((r) => r.expr)
    .join("\n");
  const names = [...exprs.matchAll(new RegExp(`(\\w+)\\{job="${job}"`, "g"))].map((m) => m[1]);
  return [...new Set(names)].filter((n) => n !== "up").sort();
}

describe("json_exporter on the rendered module configs and vendored API answers", () => {
  const dir = tempDir("json-exporters");
  const tls = certificate(dir);
  const seen: Seen[] = [];
  let server: Server;
  let plain: ReturnType<typeof createPlainServer>;
  let exporter: ChildProcess;
  let origin: string;
  let plainOrigin: string;
  let exporterUrl: string;
  let log = "";

  beforeAll(async () => {
    server = createServer({ key: tls.key, cert: tls.cert }, answer(seen));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    plain = createPlainServer(answer(seen));
    await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
    plainOrigin = `127.0.0.1:${(plain.address() as AddressInfo).port}`;
    const modules = {
      ...(yaml.load(filebeatExporterYaml()) as { modules: object }).modules,
      ...(
        yaml.load(localConfig(stateExporterYaml(configOf("prod")), dir, tls.certFile)) as {
          modules: object;
        }
      ).modules,
    };
    const file = join(dir, "config.yml");
    writeFileSync(file, yaml.dump({ modules }));
    const listen = "127.0.0.1:0";
    exporter = spawn(requireTool("json_exporter"), [
      `--config.file=${file}`,
      `--web.listen-address=${listen}`,
    ]);
    exporter.stderr?.on("data", (chunk) => {
      log += chunk;
    });
    await waitUntil("json_exporter to listen", () => /Listening on.*address=\S+:\d+/.test(log));
    const port = /Listening on.*address=\S+:(\d+)/.exec(log)?.[1];
    exporterUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    exporter?.kill();
    await new Promise((resolve) => server?.close(resolve));
    await new Promise((resolve) => plain?.close(resolve));
  });

  async function probe(module: string, target: string): Promise<Sample[]> {
    const url = `${exporterUrl}/probe?module=${module}&target=${encodeURIComponent(target)}`;
    const res = await fetch(url);
    const text = await res.text();
    if (!res.ok) throw new Error(`probe ${module}: HTTP ${res.status} ${text}`);
    return samples(text);
  }
  const local = (target: string) =>
    target.replace(/^(https?):\/\/[^/]+/, (_, s) => `${s}://${origin}`);
  const value = (all: Sample[], name: string, labels: Record<string, string> = {}) =>
    all
      .filter((s) => s.name === name)
      .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .map((s) => s.value);

  it("turns Filebeat's /stats into the output and pipeline counters", async () => {
    // The target keeps the rendered path; only the address is the fixture's.
    const target = FILEBEAT_STATS_URL.replace(/^http:\/\/[^/]+/, `http://${plainOrigin}`);
    const all = await probe(FILEBEAT_EXPORTER_MODULE, target);
    // The fixture's counters (vendor/filebeat-8.19.2/stats.json), each a different number.
    expect({
      total: value(all, "filebeat_output_events_total"),
      acked: value(all, "filebeat_output_events_acked_total"),
      failed: value(all, "filebeat_output_events_failed_total"),
      dropped: value(all, "filebeat_output_events_dropped_total"),
      writeErrors: value(all, "filebeat_output_write_errors_total"),
      published: value(all, "filebeat_pipeline_events_published_total"),
      pipelineDropped: value(all, "filebeat_pipeline_events_dropped_total"),
    }).toEqual({
      total: [1200],
      acked: [1150],
      failed: [37],
      dropped: [2],
      writeErrors: [5],
      published: [1210],
      pipelineDropped: [3],
    });
    const names = new Set(all.map((s) => s.name));
    expect(ruleMetrics(Job.filebeat).filter((m) => !names.has(m))).toEqual([]);
    expect(ruleMetrics(Job.filebeat).length).toBeGreaterThan(2);
  });

  it("reads the snapshot policy's latest runs as the scrape user, over TLS", async () => {
    const target = local(stateTargets(configOf("prod"))[StateModule.snapshots]);
    const all = await probe(StateModule.snapshots, target);
    const policy = "port8000-daily-snapshots";
    expect(
      value(all, "opensearch_snapshot_creation_latest_execution", { policy, status: "FAILED" }),
    ).toEqual([1]);
    expect(
      value(all, "opensearch_snapshot_deletion_latest_execution", { policy, status: "SUCCESS" }),
    ).toEqual([1]);
    expect(value(all, "opensearch_snapshot_policy_enabled", { policy })).toEqual([1]);
    expect(seen.at(-1)).toMatchObject({ method: "GET", path: new URL(target).pathname });
  });

  it("asks ISM for failed indices only and reports each with its state and action", async () => {
    const target = local(stateTargets(configOf("prod"))[StateModule.ism]);
    const all = await probe(StateModule.ism, target);
    const request = seen.at(-1);
    expect(request).toMatchObject({ method: "POST", contentType: "application/json" });
    expect(JSON.parse(request?.body ?? "{}")).toEqual({ filter: { failed: true } });
    const byIndex = (name: string) =>
      Object.fromEntries(
        all
          .filter((s) => s.name === name)
          .map((s) => [s.labels.index, [s.labels.state, s.labels.action, s.value]]),
      );
    // 11.05: a step out of retries (action.failed only); 11.06: a policy-level failure
    // (retry_info.failed only); 12.06 has no metadata yet: no series.
    expect(byIndex("opensearch_ism_index_action_failed")).toEqual({
      "port8000-2026.11.05": ["hot", "allocation", 1],
      "port8000-2026.11.06": ["hot", "force_merge", 0],
    });
    expect(byIndex("opensearch_ism_index_policy_failed")).toEqual({
      "port8000-2026.11.05": ["hot", "allocation", 0],
      "port8000-2026.11.06": ["hot", "force_merge", 1],
    });
  });

  it("serves every series the rules read from the state exporter", async () => {
    const targets = stateTargets(configOf("prod"));
    const names = new Set<string>();
    for (const [module, target] of Object.entries(targets))
      for (const s of await probe(module, local(target))) names.add(s.name);
    const read = ruleMetrics(Job.opensearchState);
    expect(read.length).toBeGreaterThan(2);
    expect(read.filter((m) => !names.has(m))).toEqual([]);
  });

  it("fails the probe (up = 0: OpenSearchStateScrapeFailing) on an error answer", async () => {
    const wrong = stateTargets(configOf("prod"))[StateModule.ism].replace(
      /^https:\/\/[^/]+/,
      `https://${origin}/nowhere`,
    );
    await expect(probe(StateModule.ism, wrong)).rejects.toThrow(/HTTP 5\d\d/);
  });
});
