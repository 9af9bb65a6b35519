import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Chart } from "../lib/conventions";
import {
  GO_TOOLS,
  MissingTool,
  pinnedModuleVersions,
  releaseOfModule,
  requireTool,
  type ToolName,
} from "../lib/tools";
import { loadChartDefaults } from "./support/chart-values";

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

const deployed = {
  "github.com/prometheus/prometheus": releaseOfTag(chartValues.prometheus.prometheusSpec.image.tag),
  "github.com/prometheus/alertmanager": releaseOfTag(
    chartValues.alertmanager.alertmanagerSpec.image.tag,
  ),
  // The sidecar the operator injects; Query, Store and Compactor run the same release.
  "github.com/thanos-io/thanos": releaseOfTag(chartValues.prometheusOperator.thanosImage.tag),
} as const;

function reportedVersion(tool: ToolName): string {
  const run = spawnSync(requireTool(tool), ["--version"], { encoding: "utf8" });
  const match = /version (\S+)/.exec(`${run.stdout}${run.stderr}`);
  if (!match) throw new Error(`${tool} --version printed no version: ${run.stdout}${run.stderr}`);
  return match[1];
}

describe("validators at the versions the pinned chart deploys", () => {
  const pins = pinnedModuleVersions();

  it.each(Object.entries(deployed))(
    "tools/go/go.mod pins %s at the chart's image tag",
    (module, release) => {
      expect(pins[module]).toBeDefined();
      expect(releaseOfModule(module, pins[module])).toBe(release);
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
    const empty = mkdtempSync(join(tmpdir(), "no-tools-"));
    expect(() => requireTool("promtool", empty)).toThrow(MissingTool);
    expect(() => requireTool("promtool", empty)).toThrow(/npm run tools/);
  });
});
