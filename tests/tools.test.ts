import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { load } from "js-yaml";
import { Chart } from "../lib/conventions";
import {
  GO_TOOLS,
  MissingTool,
  pinnedModuleVersions,
  pinsFile,
  releaseOfModule,
  requireTool,
  TOOLS_BIN,
  TOOLS_DIR,
  type ToolName,
} from "../lib/tools";
import {
  type BuildTarget,
  binOf,
  buildSignature,
  buildTools,
  selectTools,
} from "../scripts/build-tools";
import { configOf } from "./logging/support";
import { loadChartDefaults } from "./support/chart-values";
import { tempDir } from "./support/temp";

interface ImageSpec {
  image: { tag: string };
}

const chartValues = loadChartDefaults(
  `${Chart.kubePrometheusStack.name}-${Chart.kubePrometheusStack.version}`,
) as {
  prometheus: { prometheusSpec: ImageSpec };
  alertmanager: { alertmanagerSpec: ImageSpec };
  prometheusOperator: { thanosImage: { tag: string } };
};

/** v3.14.0-distroless → 3.14.0: the release, whatever the image flavour. */
const releaseOfTag = (tag: string) => tag.replace(/^v/, "").replace(/-.*$/, "");

/** The chart runs the operator image tagged with its appVersion (values leave the tag empty). */
const chartManifest = load(
  readFileSync(
    join(__dirname, "..", "vendor", "charts", "kube-prometheus-stack-88.5.3", "Chart.yaml"),
    "utf8",
  ),
) as { appVersion: string };

const deployed = {
  "github.com/prometheus/prometheus": releaseOfTag(chartValues.prometheus.prometheusSpec.image.tag),
  "github.com/prometheus/alertmanager": releaseOfTag(
    chartValues.alertmanager.alertmanagerSpec.image.tag,
  ),
  // The sidecar the operator injects; Query, Store and Compactor run the same release.
  "github.com/thanos-io/thanos": releaseOfTag(chartValues.prometheusOperator.thanosImage.tag),
  "github.com/prometheus-operator/prometheus-operator": releaseOfTag(chartManifest.appVersion),
  // The image the Logstash and Filebeat sidecars and the OpenSearch state exporter run.
  "github.com/prometheus-community/json_exporter": releaseOfTag(
    configOf("prod").logging.images.jsonExporter.split(":").at(-1) ?? "",
  ),
} as const;

const pinOf = (module: string) => {
  const tool = GO_TOOLS.find((t) => t.module === module);
  if (!tool) throw new Error(`no tool from ${module}`);
  return pinnedModuleVersions(readFileSync(pinsFile(tool), "utf8"))[module];
};

function reportedVersion(tool: ToolName): string {
  const run = spawnSync(requireTool(tool), ["--version"], { encoding: "utf8" });
  const match = /version (\S+)/.exec(`${run.stdout}${run.stderr}`);
  if (!match) throw new Error(`${tool} --version printed no version: ${run.stdout}${run.stderr}`);
  return match[1];
}

describe("validators at the versions the pinned chart deploys", () => {
  it.each(Object.entries(deployed))(
    "tools/ pins %s at the chart's image tag",
    (module, release) => {
      expect(pinOf(module)).toBeDefined();
      expect(releaseOfModule(module, pinOf(module))).toBe(release);
    },
  );

  it.each(
    GO_TOOLS.filter((t) => t.stampsVersion).flatMap((t) =>
      t.commands.map((command) => [command, t.module] as const),
    ),
  )("the built %s reports the deployed release", (command, module) => {
    expect(reportedVersion(command as ToolName)).toBe(deployed[module as keyof typeof deployed]);
  });

  it.each(GO_TOOLS.filter((t) => t.tags?.length).map((t) => [t.commands[0], t] as const))(
    "the built %s carries the build tags of its release build",
    (command, tool) => {
      const info = spawnSync("go", ["version", "-m", requireTool(command as ToolName)], {
        encoding: "utf8",
      });
      const tags = /^\s*build\s+-tags=(\S+)$/m.exec(info.stdout)?.[1].split(",") ?? [];
      expect(tags).toEqual(expect.arrayContaining([...(tool.tags ?? [])]));
    },
  );

  it("maps Prometheus 3 module versions to releases and leaves others as they are", () => {
    expect(releaseOfModule("github.com/prometheus/prometheus", "v0.314.0")).toBe("3.14.0");
    expect(releaseOfModule("github.com/prometheus/prometheus", "v0.305.2")).toBe("3.5.2");
    expect(releaseOfModule("github.com/prometheus/alertmanager", "v0.34.0")).toBe("0.34.0");
  });

  it("reads require lines in both go.mod forms", () => {
    const goMod =
      "module x\n\nrequire github.com/a/b v1.2.3\n\nrequire (\n\tgithub.com/c/d v0.4.0 // indirect\n)\n";
    expect(pinnedModuleVersions(goMod)).toEqual({
      "github.com/a/b": "v1.2.3",
      "github.com/c/d": "v0.4.0",
    });
  });

  it("refuses a tool that is not built, naming the build step", () => {
    const empty = tempDir("no-tools");
    expect(() => requireTool("promtool", empty)).toThrow(MissingTool);
    expect(() => requireTool("promtool", empty)).toThrow(/npm run tools/);
  });
});

describe("the control plane and Helm at their pins", () => {
  const kubernetes = pinOf("k8s.io/kubernetes");

  it("kube-apiserver reports the pinned Kubernetes release", () => {
    const run = spawnSync(requireTool("kube-apiserver"), ["--version"], { encoding: "utf8" });
    expect(run.stdout.trim()).toBe(`Kubernetes ${kubernetes}`);
  });

  it("replaces every Kubernetes staging module with the release of the same minor and patch", () => {
    const goMod = readFileSync(join(TOOLS_DIR, "k8s", "go.mod"), "utf8");
    const replaced = [...goMod.matchAll(/^\t(k8s\.io\/\S+) => \1 (v\S+)$/gm)];
    expect(replaced.length).toBeGreaterThan(20);
    const staging = kubernetes.replace(/^v1\./, "v0.");
    expect(replaced.filter(([, , version]) => version !== staging)).toEqual([]);
  });

  it("helm is the pinned Helm 3", () => {
    const run = spawnSync(requireTool("helm"), ["version", "--template={{.Version}}"], {
      encoding: "utf8",
    });
    expect(run.stdout.trim()).toBe(pinOf("helm.sh/helm/v3"));
  });

  it("rebuilds when a tool's build tags change, not only its version", () => {
    const tool = { module: "m", commands: ["c"], stampsVersion: false };
    expect(buildSignature(tool, "v1.0.0")).not.toBe(
      buildSignature({ ...tool, tags: ["remove_all_sd"] }, "v1.0.0"),
    );
  });

  it("rebuilds on a warm machine exactly the module whose build tags changed", () => {
    const bin = tempDir("stamp");
    const target: BuildTarget = {
      bin,
      build: (tool, _version, into) => {
        for (const command of tool.commands) writeFileSync(join(into, command), "");
      },
    };
    const thanos = "github.com/thanos-io/thanos";
    const retagged = GO_TOOLS.map((t) =>
      t.module === thanos ? { ...t, tags: [...(t.tags ?? []), "grpcnotrace"] } : t,
    );
    expect(buildTools(undefined, GO_TOOLS, target)).toEqual(GO_TOOLS.map((t) => t.module));
    expect(buildTools(undefined, retagged, target)).toEqual([thanos]);
    expect(buildTools(undefined, retagged, target)).toEqual([]);
  });

  it("builds Prometheus with only the service discovery the operator's configuration uses", () => {
    const file = join(tempDir("sd"), "prometheus.yml");
    writeFileSync(
      file,
      "scrape_configs:\n  - job_name: x\n    ec2_sd_configs:\n      - region: us-east-1\n",
    );
    const run = spawnSync(requireTool("promtool"), ["check", "config", file], { encoding: "utf8" });
    expect(`${run.stdout}${run.stderr}`).toMatch(/ec2_sd_configs/);
    expect(run.status).not.toBe(0);
  });
});

describe("npm run tools -- --only, --bin", () => {
  it("selects the modules of the named commands, and all of them without the flag", () => {
    const modules = (argv: string[]) => selectTools(argv).map((t) => t.module);
    expect(modules(["--only", "promtool"])).toEqual(["github.com/prometheus/prometheus"]);
    expect(modules(["--only", "amtool,thanos"])).toEqual([
      "github.com/prometheus/alertmanager",
      "github.com/thanos-io/thanos",
    ]);
    expect(modules([])).toHaveLength(new Set(GO_TOOLS.map((t) => t.module)).size);
  });

  it("--bin builds into another directory than the tests' tools, and needs one", () => {
    expect(binOf(["--only", "promtool", "--bin", "scratch/bin"])).toBe(resolve("scratch/bin"));
    expect(binOf(["--only", "promtool"])).toBe(TOOLS_BIN);
    expect(() => binOf(["--bin"])).toThrow(/--bin needs a directory/);
    expect(() => binOf(["--bin", "--only", "helm"])).toThrow(/--bin needs a directory/);
  });

  it("refuses a command no module builds, naming it and the ones that exist", () => {
    expect(() => selectTools(["--only", "promtool,grafana"])).toThrow(
      /--only: no tool "grafana"; known: .*promtool/,
    );
    expect(() => selectTools(["--only"])).toThrow(/--only needs/);
  });
});
