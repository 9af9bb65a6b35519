import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import {
  FREEZE_CONFIGMAP,
  FREEZE_OVERRIDE_ENV,
  freezeVerdict,
} from "../../components/deploy-freeze/verdict";
import { PROJECT } from "../../lib/conventions";
import type { RecordedResource } from "../../scripts/mock-runtime";
import { tempDir } from "../alertmanager/support";
import { ROOT, stackFile, withConfig } from "../support/program";

const FROZEN = {
  frozen: "true",
  alerts: '["f00d"]',
  reason: "HostDiskSpaceLow critical on node-a:9100",
  updatedAt: "2025-10-25T04:02:00Z",
};

interface GateRun {
  outputs: Record<string, unknown>;
  names: string[];
  reads: string[];
  errors: string[];
  resources: RecordedResource[];
}

/**
 * Runs the prod program (in a child, see run-gate.ts) with the live freeze ConfigMap = data, or
 * with none on the cluster ("missing").
 */
function deploy(
  data: Record<string, string> | "missing",
  stackFilePath?: string,
  env: Record<string, string> = {},
): GateRun {
  const args = [
    join(__dirname, "run-gate.ts"),
    data === "missing" ? data : JSON.stringify(data),
    ...(stackFilePath ? [stackFilePath] : []),
  ];
  // tsx itself, not through npx: npx costs a second Node start-up per run.
  const result = spawnSync(join(ROOT, "node_modules", ".bin", "tsx"), args, {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
    // The report lists every resource (the bundled code ConfigMaps are large): past 1 MiB.
    maxBuffer: 1 << 27,
    env: { ...process.env, ...env, NODE_OPTIONS: "--unhandled-rejections=warn" },
  });
  // The Pulumi runtime exits 1 on the promises a failed run leaves behind; stdout is the report.
  if (!result.stdout.startsWith("{")) throw new Error(`run-gate failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as GateRun;
}

/** A stack file equal to the parsed one (secrets re-marked `secure:`). */
function stackYaml(config: Record<string, string>, secretKeys: readonly string[]): string {
  const entries = Object.entries(config).map(([key, value]) => {
    if (secretKeys.includes(key)) return [key, { secure: "v1:test" }];
    try {
      return [key, JSON.parse(value)];
    } catch {
      return [key, value];
    }
  });
  return yaml.dump({ config: Object.fromEntries(entries) });
}

const GATED = [
  "prometheus-kube-prometheus-stack",
  "alertmanager-receivers-secret",
  "automation-deployment",
  "automation-token",
  "aws",
  "grafana",
  "log-archive-lifecycle",
  "grafana-folder-permission-port-8000-production",
  "team-access-port8000-ops-edit",
  "kubernetes-gated",
  "prometheus-blackbox-exporter",
  "prometheus-service-monitor",
  "alertmanager-sns-role",
];

describe("deploy freeze gate (pulumi up under the recording mocks)", () => {
  // One run of the program for the two tests that read an unfrozen deploy (a run costs seconds).
  let unfrozen: GateRun | undefined;
  const deployUnfrozen = () => {
    unfrozen ??= deploy({ frozen: "false", alerts: "[]" });
    return unfrozen;
  };

  it("deploys when the freeze ConfigMap says not frozen", () => {
    const run = deployUnfrozen();
    expect(run.outputs.deployFreeze).toBe("clear");
    expect(run.names).toEqual(expect.arrayContaining(GATED));
    expect(run.errors).toEqual([]);
  });

  it("refuses while the freeze holds, with the reason and the override, and declares no gated change", () => {
    const run = deploy(FROZEN);
    expect(run.outputs.deployFreeze).toMatch(
      /^failed: Deploy freeze in effect \(monitoring\/port8000-deploy-freeze\): HostDiskSpaceLow critical on node-a:9100/,
    );
    expect(run.outputs.deployFreeze).toContain(`${FREEZE_OVERRIDE_ENV}="<reason>"`);
    expect(run.errors.some((e) => e.includes("Deploy freeze in effect"))).toBe(true);
    for (const name of GATED) expect(run.names).not.toContain(name);
    expect(run.names).toContain("deploy-freeze-state");
  });

  it("deploys anyway with the override, and reports it", () => {
    const run = deploy(FROZEN, undefined, { [FREEZE_OVERRIDE_ENV]: "ship the disk cleanup fix" });
    expect(run.outputs.deployFreeze).toBe("overridden: ship the disk cleanup fix");
    expect(run.names).toEqual(expect.arrayContaining(GATED));
  });

  it("accepts the override from config too", () => {
    const prod = stackFile("prod");
    const alerting = JSON.parse(prod.config[`${PROJECT}:alerting`]);
    const file = withConfig(prod, { alerting: { ...alerting, deployFreezeOverride: "INC-42" } });
    const path = join(tempDir("freeze"), "Pulumi.override.yaml");
    writeFileSync(path, stackYaml(file.config, file.secretKeys));
    expect(deploy(FROZEN, path).outputs.deployFreeze).toBe("overridden: INC-42");
  });

  it("on a rebuilt cluster without the ConfigMap: no freeze, the ConfigMap is recreated", () => {
    const run = deploy("missing");
    expect(run.errors).toEqual([]);
    expect(run.outputs.deployFreeze).toBe("clear");
    expect(run.names).toEqual(expect.arrayContaining(GATED));
    const state = run.resources.find((r) => r.name === "deploy-freeze-state");
    expect(state?.inputs).toMatchObject({ data: { frozen: "false" } });
  });

  it("refreshes before every preview and up, so the gate sees the live ConfigMap", () => {
    const project = yaml.load(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as {
      options?: { refresh?: string };
    };
    expect(project.options?.refresh).toBe("always");
  });

  it("declares the state ConfigMap in the monitoring namespace", () => {
    const run = deployUnfrozen();
    const state = run.resources.find((r) => r.name === "deploy-freeze-state");
    expect(state?.inputs).toMatchObject({
      metadata: { name: FREEZE_CONFIGMAP, namespace: "monitoring" },
    });
  });
});

describe("freezeVerdict", () => {
  it.each([
    [undefined, undefined, "clear"],
    [{}, undefined, "clear"],
    [{ frozen: "false" }, "reason", "clear"],
    [{ frozen: "true" }, undefined, "blocked"],
    [{ frozen: "true" }, "   ", "blocked"],
    [{ frozen: "true" }, "INC-42", "overridden"],
  ])("data %j with override %j is %s", (data, override, kind) => {
    expect(freezeVerdict(data as Record<string, string> | undefined, override, "ns/cm").kind).toBe(
      kind,
    );
  });
});
