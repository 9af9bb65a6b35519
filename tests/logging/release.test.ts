import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import yaml from "js-yaml";
import { LoggingArtifact } from "../../components/logging/names";
import { networkPolicies } from "../../components/logging/network";
import {
  RELEASE_DIR,
  RELEASE_FILE,
  RELEASE_SCRIPT,
  releaseEnv,
} from "../../components/logging/release";
import { logstashPodSpec } from "../../components/logging/workloads";
import { ArtifactPath } from "../../lib/conventions";
import { renderArtifacts } from "../../scripts/artifacts";
import { parseStackFileConfig } from "../../scripts/synth-lib";
import { tempDir } from "../alertmanager/support";
import { stackFile } from "../support/program";
import { type FilebeatYaml, filebeatEvent } from "./filebeat-events";
import { logstashDocument } from "./logstash-filters";

/**
 * Host logs carry the running release, as container logs do (their pod's version label): the
 * Logstash sidecar's script, run by sh and curl against a stand-in Prometheus, writes the
 * dictionary the pipeline's translate filter reads.
 */

const config = parseStackFileConfig("prod", stackFile("prod"));
const artifacts = renderArtifacts(config);
const conf = artifacts[LoggingArtifact.logstashPipeline];
const filebeat = yaml.load(artifacts[LoggingArtifact.filebeat]) as FilebeatYaml;

/** The query of the alerts' `release` annotation: the release the pages name. */
function annotationQuery(): string {
  const rules = yaml.load(artifacts[ArtifactPath.rules]) as {
    groups: { rules: { annotations?: Record<string, string> }[] }[];
  };
  const release = rules.groups.flatMap((g) => g.rules).find((r) => r.annotations?.release)
    ?.annotations?.release;
  const query = /query `([^`]+)`/.exec(release ?? "")?.[1];
  if (!query) throw new Error("no release annotation query");
  return query;
}

const VECTOR = JSON.stringify({
  status: "success",
  data: {
    resultType: "vector",
    result: [{ metric: { commit: "abc1234", version: "1.4.2" }, value: [1764781512, "1"] }],
  },
});

async function runOnce(answer: [number, string], dir: string) {
  const queries: string[] = [];
  const server = createServer((req, res) => {
    queries.push(new URL(req.url ?? "", "http://x").searchParams.get("query") ?? "");
    res.writeHead(answer[0], { "content-type": "application/json" }).end(answer[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const env = {
    ...Object.fromEntries(releaseEnv(config).map((e) => [e.name, e.value])),
    PATH: process.env.PATH ?? "",
    PROMETHEUS_URL: `http://127.0.0.1:${port}`,
    RELEASE_DIR: dir,
  };
  const code = await new Promise<number>((resolve) =>
    execFile("sh", ["-c", RELEASE_SCRIPT, "release", "once"], { env, timeout: 20_000 }, (e) =>
      resolve(e ? Number(e.code ?? 1) : 0),
    ),
  );
  await new Promise((resolve) => server.close(resolve));
  return { code, queries, file: readFileSync(join(dir, RELEASE_FILE), "utf8") };
}

describe("host logs carry the running release", () => {
  it("the sidecar asks Prometheus what the pages' release annotation asks, and writes it", async () => {
    const run = await runOnce([200, VECTOR], tempDir("release"));
    expect(run.code).toBe(0);
    expect(run.queries).toEqual([annotationQuery()]);
    expect(yaml.load(run.file)).toEqual({ port8000: "1.4.2 (commit abc1234)" });
  }, 30_000);

  it("keeps the last release while Prometheus fails, and starts from 'unknown'", async () => {
    const dir = tempDir("release-down");
    expect(yaml.load((await runOnce([503, "{}"], dir)).file)).toEqual({ port8000: "unknown" });
    writeFileSync(join(dir, RELEASE_FILE), 'port8000: "1.4.1 (commit 0ff1ce)"\n');
    const kept = await runOnce([503, "{}"], dir);
    expect([kept.code, yaml.load(kept.file)]).toEqual([0, { port8000: "1.4.1 (commit 0ff1ce)" }]);
  }, 30_000);

  it("every host input's events get it in the pipeline; container logs keep their pod's version", async () => {
    const dictionary = (await runOnce([200, VECTOR], tempDir("release-pipeline"))).file;
    for (const input of filebeat["filebeat.inputs"]) {
      const event = filebeatEvent(filebeat, input, "a line");
      const doc = logstashDocument(conf, event, { [`${RELEASE_DIR}/${RELEASE_FILE}`]: dictionary });
      const container = input.parsers?.some((p) => "container" in p);
      expect([input.id, doc.release]).toEqual([
        input.id,
        container ? "3.14.0" : "1.4.2 (commit abc1234)",
      ]);
    }
  }, 30_000);

  it("Logstash reads the dictionary from the volume the init container and sidecar write", () => {
    const spec = logstashPodSpec(config, {
      filebeat: "",
      logstash: "logstash@sha256:0",
      jsonExporter: "exporter@sha256:0",
      curl: "curl@sha256:0",
    });
    const mounts = (c: { volumeMounts?: { name: string; mountPath: string }[] }) =>
      (c.volumeMounts ?? []).filter((m) => m.mountPath === RELEASE_DIR).map((m) => m.name);
    const logstash = spec.containers.find((c) => c.name === "logstash");
    const writers = [...(spec.initContainers ?? []), ...spec.containers].filter((c) =>
      (c as { command?: string[] }).command?.includes(RELEASE_SCRIPT),
    );
    expect(writers.map((c) => c.name).sort()).toEqual(["release", "release-init"]);
    expect(spec.initContainers?.map((c) => c.name)).toContain("release-init");
    const volume = mounts(logstash ?? {})[0];
    expect(volume).toBeDefined();
    for (const writer of writers) expect(mounts(writer)).toEqual([volume]);
    expect(spec.volumes.find((v) => v.name === volume)).toMatchObject({ emptyDir: {} });
  });

  it("Logstash may reach Prometheus", () => {
    const policy = networkPolicies(config).find((p) => p.name === "logstash-traffic");
    const egress = (policy?.spec.egress ?? []) as { ports?: { port: number }[]; to?: unknown[] }[];
    const url = new URL(releaseEnv(config).find((e) => e.name === "PROMETHEUS_URL")?.value ?? "");
    const namespace = url.hostname.split(".")[1];
    expect(
      egress.some(
        (rule) =>
          rule.ports?.some((p) => p.port === Number(url.port)) &&
          JSON.stringify(rule.to).includes(`"kubernetes.io/metadata.name":"${namespace}"`),
      ),
    ).toBe(true);
  });
});
