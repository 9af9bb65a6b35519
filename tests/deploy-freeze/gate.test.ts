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
import { tempDir } from "../alertmanager/support";
import { ROOT, stackFile, withConfig } from "../support/program";
import { tsxNode } from "../support/tsx";
import type { GateRun, GateScenario } from "./run-gate";

const FROZEN = {
  frozen: "true",
  alerts: '["f00d"]',
  reason: "HostDiskSpaceLow critical on node-a:9100",
  updatedAt: "2025-10-25T04:02:00Z",
};

/**
 * Runs the prod program once per scenario, all in one child (see run-gate.ts), with the live
 * freeze ConfigMap = data, or with none on the cluster ("missing"). The child stops after a
 * failed run, so a held freeze comes last and the report may hold fewer runs than scenarios.
 */
function deploy(scenarios: readonly GateScenario[]): GateRun[] {
  const result = spawnSync(
    ...tsxNode(join(__dirname, "run-gate.ts"), [JSON.stringify(scenarios)]),
    {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 300_000,
      // The report lists every resource (the bundled code ConfigMaps are large): past 1 MiB.
      maxBuffer: 1 << 28,
      env: { ...process.env, NODE_OPTIONS: "--unhandled-rejections=warn" },
    },
  );
  // The Pulumi runtime exits 1 on the promises a failed run leaves behind; stdout is the report.
  if (!result.stdout.startsWith("[")) throw new Error(`run-gate failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as GateRun[];
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
  // Every scenario in one child: a run of the program costs seconds, a child's start more.
  let runs: Record<string, GateRun | undefined> = {};
  beforeAll(() => {
    const prod = stackFile("prod");
    const alerting = JSON.parse(prod.config[`${PROJECT}:alerting`]);
    const file = withConfig(prod, { alerting: { ...alerting, deployFreezeOverride: "INC-42" } });
    const override = join(tempDir("freeze"), "Pulumi.override.yaml");
    writeFileSync(override, stackYaml(file.config, file.secretKeys));
    const scenarios: Record<string, GateScenario> = {
      unfrozen: { data: { frozen: "false", alerts: "[]" } },
      missing: { data: "missing" },
      overriddenByEnv: {
        data: FROZEN,
        env: { [FREEZE_OVERRIDE_ENV]: "ship the disk cleanup fix" },
      },
      overriddenByConfig: { data: FROZEN, stackFile: override },
      frozen: { data: FROZEN },
    };
    const reports = deploy(Object.values(scenarios));
    runs = Object.fromEntries(Object.keys(scenarios).map((name, i) => [name, reports[i]]));
  }, 300_000);
  const run = (name: string): GateRun => {
    const found = runs[name];
    if (!found) {
      const failed = Object.entries(runs).find(
        ([, r]) => r && /^failed/.test(`${r.outputs.deployFreeze}`),
      );
      throw new Error(`${name} did not run: the child stops after a failed run (${failed?.[0]})`);
    }
    return found;
  };

  it("deploys when the freeze ConfigMap says not frozen", () => {
    const unfrozen = run("unfrozen");
    expect(unfrozen.outputs.deployFreeze).toBe("clear");
    expect(unfrozen.names).toEqual(expect.arrayContaining(GATED));
    expect(unfrozen.errors).toEqual([]);
  });

  it("refuses while the freeze holds, with the reason and the override, and declares no gated change", () => {
    const frozen = run("frozen");
    expect(frozen.outputs.deployFreeze).toMatch(
      /^failed: Deploy freeze in effect \(monitoring\/port8000-deploy-freeze\): HostDiskSpaceLow critical on node-a:9100/,
    );
    expect(frozen.outputs.deployFreeze).toContain(`${FREEZE_OVERRIDE_ENV}="<reason>"`);
    expect(frozen.errors.some((e) => e.includes("Deploy freeze in effect"))).toBe(true);
    for (const name of GATED) expect(frozen.names).not.toContain(name);
    expect(frozen.names).toContain("deploy-freeze-state");
  });

  it("deploys anyway with the override, and reports it", () => {
    const overriddenByEnv = run("overriddenByEnv");
    expect(overriddenByEnv.outputs.deployFreeze).toBe("overridden: ship the disk cleanup fix");
    expect(overriddenByEnv.names).toEqual(expect.arrayContaining(GATED));
    expect(overriddenByEnv.errors).toEqual([]);
  });

  it("accepts the override from config too", () => {
    const overriddenByConfig = run("overriddenByConfig");
    expect(overriddenByConfig.outputs.deployFreeze).toBe("overridden: INC-42");
    expect(overriddenByConfig.names).toEqual(expect.arrayContaining(GATED));
  });

  it("on a rebuilt cluster without the ConfigMap: no freeze, the ConfigMap is recreated", () => {
    const missing = run("missing");
    expect(missing.errors).toEqual([]);
    expect(missing.outputs.deployFreeze).toBe("clear");
    expect(missing.names).toEqual(expect.arrayContaining(GATED));
    const state = missing.resources.find((r) => r.name === "deploy-freeze-state");
    expect(state?.inputs).toMatchObject({ data: { frozen: "false" } });
  });

  it("refreshes before every preview and up, so the gate sees the live ConfigMap", () => {
    const project = yaml.load(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as {
      options?: { refresh?: string };
    };
    expect(project.options?.refresh).toBe("always");
  });

  it("declares the state ConfigMap in the monitoring namespace", () => {
    const unfrozen = run("unfrozen");
    const state = unfrozen.resources.find((r) => r.name === "deploy-freeze-state");
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
