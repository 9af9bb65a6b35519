import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importGraph, layerOf, upwardImports } from "./support/layers";
import { ROOT } from "./support/program";

// docs/architecture.md: names and config → renderers → components → commands. A lower layer
// importing a higher one is how a concept ends up with two homes.

/** The files that import `path`. */
const readersOf = (path: string) =>
  importGraph(ROOT)
    .filter((i) => i.to === path)
    .map((i) => i.from);

describe("the dependency direction", () => {
  it("puts each kind of file in its layer", () => {
    expect(
      [
        "automation/server.ts",
        "lib/conventions.ts",
        "lib/alert-names.ts",
        "lib/log-fields.ts",
        "components/config/schema.ts",
        "alerts/catalogue/host.ts",
        "dashboards/common.ts",
        "components/prometheus/scrape.ts",
        "components/opensearch/state-exporter.ts",
        "components/prometheus/index.ts",
        "components/opensearch/tls/index.ts",
        "components/providers/aws.ts",
        "index.ts",
        "scripts/synth.ts",
        "local/main.ts",
        "ops/trends.ts",
        "bench/run.ts",
        "policy/index.ts",
        "tests/purity.test.ts",
      ].map(layerOf),
    ).toEqual([
      "automation-service",
      "names-and-config",
      "names-and-config",
      "names-and-config",
      "names-and-config",
      "renderers",
      "renderers",
      "renderers",
      "renderers",
      "components",
      "components",
      "components",
      "commands",
      "commands",
      "commands",
      "commands",
      "commands",
      "commands",
      undefined,
    ]);
  });

  it("reads the program's real import graph", () => {
    const graph = importGraph(ROOT);
    expect(graph).toContainEqual({
      from: "components/prometheus/scrape.ts",
      to: "lib/conventions.ts",
    });
    expect(graph.length).toBeGreaterThan(300);
  });

  it("has the log pipeline's renderers and the alerts' log links read the log fields module", () => {
    const readers = readersOf("lib/log-fields.ts");
    expect(readers).toEqual(
      expect.arrayContaining([
        "components/logging/filebeat.ts",
        "components/logging/grok.ts",
        "components/logging/logstash.ts",
        "components/opensearch/documents.ts",
        "alerts/log-queries.ts",
        "dashboards/service-overview.ts",
      ]),
    );
  });

  it("has every layer above the bottom read alert names from the registry", () => {
    const readers = readersOf("lib/alert-names.ts");
    expect(readers).toEqual(
      expect.arrayContaining([
        "lib/conventions.ts",
        "alerts/catalogue/host.ts",
        "components/alertmanager/routes.ts",
        "components/alertmanager/inhibit.ts",
        "components/automation/workload.ts",
        "dashboards/service-overview.ts",
        "ops/weekly.ts",
        "bench/run.ts",
      ]),
    );
  });

  it("has no import from a lower layer into a higher one", () => {
    expect(upwardImports(importGraph(ROOT))).toEqual([]);
  });

  it("catches a planted upward import in a source tree", () => {
    const root = mkdtempSync(join(tmpdir(), "port8000-layers-"));
    try {
      mkdirSync(join(root, "components", "config"), { recursive: true });
      mkdirSync(join(root, "alerts"), { recursive: true });
      mkdirSync(join(root, "lib"), { recursive: true });
      writeFileSync(join(root, "index.ts"), 'import { schema } from "./components/config";\n');
      writeFileSync(join(root, "lib", "names.ts"), 'export const NAME = "node";\n');
      writeFileSync(join(root, "alerts", "windows.ts"), 'import { NAME } from "../lib/names";\n');
      writeFileSync(
        join(root, "components", "config", "index.ts"),
        'import {\n  BURN_TIERS,\n} from "../../alerts/windows";\nexport const schema = BURN_TIERS;\n',
      );
      expect(upwardImports(importGraph(root))).toEqual([
        {
          from: "components/config/index.ts",
          to: "alerts/windows.ts",
          fromLayer: "names-and-config",
          toLayer: "renderers",
        },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("lets a component import its renderers, and a command import anything", () => {
    expect(
      upwardImports([
        { from: "components/alertmanager/index.ts", to: "components/alertmanager/routes.ts" },
        { from: "ops/trends.ts", to: "alerts/catalogue/host.ts" },
        { from: "alerts/render.ts", to: "components/config/schema.ts" },
      ]),
    ).toEqual([]);
    expect(
      upwardImports([{ from: "alerts/render.ts", to: "components/alertmanager/index.ts" }]),
    ).toHaveLength(1);
  });
});
