import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { evidenceEnv, POLLER_ENTRY } from "../../components/automation/evidence-workload";
import {
  CODE_DIR,
  SERVICE_FILES,
  serviceCode,
  serviceModules,
} from "../../components/automation/workload";
import type { ProgramRun } from "../../scripts/mock-runtime";
import { parseStackFileConfig } from "../../scripts/synth-lib";
import { stackFile, tempDir } from "../alertmanager/support";
import { named, ofType, runStack, withConfig } from "../support/program";

// biome-ignore lint/suspicious/noExplicitAny: recorded inputs are untyped JSON, read by path.
type Json = any;

describe("AutomationService on the prod stack", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runStack("prod");
  });

  const deployment = () => named(run, "automation-deployment").inputs as Json;

  it("runs the configured replicas of the pinned node:24-alpine as non-root, with probes and limits", () => {
    const spec = deployment().spec;
    const pod = spec.template.spec;
    const [container] = pod.containers;
    expect(spec.replicas).toBe(2);
    expect(container.image).toMatch(/^node:24-alpine@sha256:[0-9a-f]{64}$/);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    expect(container.readinessProbe.httpGet.path).toBe("/healthz");
    expect(container.livenessProbe.httpGet.path).toBe("/healthz");
    expect(container.resources.limits.memory).toBeDefined();
  });

  it("takes its code from a ConfigMap and rolls when the code changes", () => {
    const code = named(run, "automation-code").inputs as { data: Record<string, string> };
    expect(Object.keys(code.data).sort()).toEqual([
      "alertmanager-webhook.ts",
      "annotation-jobs.ts",
      "annotation-queue.ts",
      "annotations.ts",
      "cluster.ts",
      "evidence-clients.ts",
      "evidence.ts",
      "freeze.ts",
      "grafana-client.ts",
      "opensearch-client.cjs",
      "pagerduty-signature.ts",
      "paths.ts",
      "restart.ts",
      "server.ts",
    ]);
    expect(Object.keys(code.data)).toEqual(expect.arrayContaining([...SERVICE_FILES]));
    // The service's sources ship as they are on disk: the code the server tests exercise.
    for (const file of serviceModules()) {
      const source = readFileSync(join(__dirname, "../../automation", file), "utf8");
      expect({ file, shipped: code.data[file] }).toEqual({ file, shipped: source });
    }
    expect(deployment().spec.template.metadata.annotations["port8000/code-sha256"]).toMatch(
      /^[0-9a-f]{64}$/,
    );
  });

  it("keeps the bearer token a secret, in a Secret", () => {
    expect(named(run, "automation-token").inputs.stringData).toBe("[secret]");
  });

  it("may only read its CronJob, create Jobs and read and update the freeze ConfigMap", () => {
    const role = named(run, "automation-role").inputs as {
      rules: { resources: string[]; verbs: string[] }[];
    };
    expect(role.rules.flatMap((r) => r.verbs).sort()).toEqual(["create", "get", "get", "update"]);
    expect(ofType(run, "kubernetes:batch/v1:CronJob")[0].inputs).toMatchObject({
      spec: { suspend: true },
    });
  });

  it("may only get and patch the one Port 8000 Deployment, in its namespace, for the restart", () => {
    const role = named(run, "automation-restart-role").inputs as Json;
    expect(role.metadata.namespace).toBe("port8000");
    expect(role.rules).toEqual([
      {
        apiGroups: ["apps"],
        resources: ["deployments"],
        resourceNames: ["port8000"],
        verbs: ["get", "patch"],
      },
    ]);
    const binding = named(run, "automation-restart-binding").inputs as Json;
    expect(binding.metadata.namespace).toBe("port8000");
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects).toEqual([
      { kind: "ServiceAccount", name: "port8000-automation", namespace: "monitoring" },
    ]);
    const env = deployment().spec.template.spec.containers[0].env as {
      name: string;
      value: string;
    }[];
    expect(Object.fromEntries(env.map((e) => [e.name, e.value]))).toMatchObject({
      RESTART_NAMESPACE: "port8000",
      RESTART_DEPLOYMENT: "port8000",
      RESTART_COOLDOWN_SECONDS: "3600",
    });
  });

  it("names the alerts the service acts on: disk space and the memory leak", () => {
    const env = deployment().spec.template.spec.containers[0].env as {
      name: string;
      value: string;
    }[];
    expect(Object.fromEntries(env.map((e) => [e.name, e.value]))).toMatchObject({
      DISK_SPACE_ALERT: "HostDiskSpaceLow",
      MEMORY_LEAK_ALERT: "Port8000MemoryLeak",
    });
  });

  it("Alertmanager's receiver Secret holds every credential, masked", () => {
    const secret = named(run, "alertmanager-receivers-secret").inputs as Json;
    expect(secret.metadata.name).toBe("alertmanager-port8000-receivers");
    expect(secret.stringData).toBe("[secret]");
  });
});

describe("the evidence poller on the prod stack", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runStack("prod");
  });
  const poller = () => named(run, "automation-evidence-deployment").inputs as Json;
  const service = () => named(run, "automation-deployment").inputs as Json;

  it("is one hardened pod of the service's image and code, without Kubernetes API access", () => {
    const spec = poller().spec;
    const pod = spec.template.spec;
    const [container] = pod.containers;
    expect(spec.replicas).toBe(1);
    expect(spec.strategy).toEqual({ type: "Recreate" });
    expect(container.image).toBe(service().spec.template.spec.containers[0].image);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.resources.limits.memory).toBeDefined();
    expect(pod.volumes).toContainEqual({
      name: "code",
      configMap: { name: service().spec.template.spec.volumes[0].configMap.name },
    });
  });

  it("is picked by neither the service's Deployment nor its Service", () => {
    const labels = poller().spec.template.metadata.labels;
    const picks = (selector: Record<string, string>) =>
      Object.entries(selector).every(([k, v]) => labels[k] === v);
    expect(picks(service().spec.selector.matchLabels)).toBe(false);
    expect(picks((named(run, "automation-service").inputs as Json).spec.selector)).toBe(false);
    expect(picks(poller().spec.selector.matchLabels)).toBe(true);
  });

  it("starts pollFromEnv of the shipped evidence.ts", () => {
    const dir = tempDir("poller-entry");
    // Node 24 detects ES module syntax in /app; tsx needs to be told.
    writeFileSync(join(dir, "package.json"), '{"type":"module"}');
    writeFileSync(
      join(dir, "evidence.ts"),
      'export function pollFromEnv() { console.log("polling " + process.env.PROBE); }',
    );
    const entry = POLLER_ENTRY.replaceAll(`${CODE_DIR}/`, `${dir}/`);
    const out = execFileSync(join(__dirname, "../../node_modules/.bin/tsx"), ["-e", entry], {
      encoding: "utf8",
      env: { ...process.env, PROBE: "ok" },
    });
    expect(out.trim()).toBe("polling ok");
  });

  it("exits non-zero, naming the variable, when the real evidence.ts lacks its environment", () => {
    const dir = tempDir("poller-entry-real");
    writeFileSync(join(dir, "package.json"), '{"type":"module"}');
    // Every shipped file: evidence.ts imports its siblings as the pod's /app holds them.
    for (const [file, text] of Object.entries(serviceCode())) writeFileSync(join(dir, file), text);
    const entry = POLLER_ENTRY.replaceAll(`${CODE_DIR}/`, `${dir}/`);
    const result = spawnSync(join(__dirname, "../../node_modules/.bin/tsx"), ["-e", entry], {
      encoding: "utf8",
      env: { PATH: process.env.PATH },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("environment variable EVIDENCE_TIMEOUT_MS is required");
  });
});

describe("logging.evidence.pollSeconds", () => {
  const logging = () => JSON.parse(stackFile("prod").config["port8000-monitoring:logging"]);
  const parse = (pollSeconds: unknown) =>
    parseStackFileConfig(
      "prod",
      withConfig(stackFile("prod"), { logging: { ...logging(), evidence: { pollSeconds } } }),
    );
  const interval = (pollSeconds: number) =>
    evidenceEnv(parse(pollSeconds)).find((e) => e.name === "EVIDENCE_POLL_INTERVAL_MS")?.value;

  it("sets the poller's interval", () => {
    expect(interval(45)).toBe("45000");
    expect(interval(120)).toBe("120000");
  });

  it("is refused below 5 seconds, naming the key", () => {
    expect(() => parse(1)).toThrow(/logging\.evidence\.pollSeconds/);
  });
});
