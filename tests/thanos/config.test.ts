import { fromEngineConfig, parseStackConfig } from "../../components/config/parse";
import { prometheusBlocksDays } from "../../components/prometheus-backup/retention";
import { stackConfig } from "../alerts/support";
import { stackFile, withConfig } from "../support/program";

/** longTermMetrics: retention refused below the SLO window, history only from a replica. */

function problems(stack: string, overrides: Record<string, unknown>): string[] {
  const file = withConfig(stackFile(stack), overrides);
  const { raw, secrets } = fromEngineConfig(file.config, file.secretKeys);
  const result = parseStackConfig(raw, secrets);
  return result.ok ? [] : result.problems;
}

const retention = (r: Record<string, string>) => ({ longTermMetrics: { retention: r } });

describe("longTermMetrics config", () => {
  it("accepts retentions as long as the SLO window, and refuses a day less, naming the key", () => {
    expect(problems("prod", retention({ raw: "30d" }))).toEqual([]);
    expect(problems("prod", retention({ raw: "29d" }))).toEqual([
      expect.stringMatching(
        /^longTermMetrics\.retention\.raw \("29d"\): shorter than slo\.window \("30d"\)/,
      ),
    ]);
    // The bound follows the window: 28d raw suffices for a 28-day SLO period.
    expect(
      problems("prod", {
        ...retention({ raw: "28d" }),
        slo: { availability: 0.995, window: "28d" },
      }),
    ).toEqual([]);
  });

  it("refuses a coarser resolution kept shorter than the finer one it is downsampled from", () => {
    expect(problems("prod", retention({ raw: "90d", fiveMinutes: "60d" }))).toEqual([
      expect.stringMatching(
        /^longTermMetrics\.retention\.fiveMinutes \("60d"\): must be at least retention\.raw \("90d"\)/,
      ),
    ]);
    expect(problems("prod", retention({ oneHour: "90d" }))).toEqual([
      expect.stringMatching(
        /^longTermMetrics\.retention\.oneHour \("90d"\): must be at least retention\.fiveMinutes/,
      ),
    ]);
  });

  it("refuses history from another environment where the bucket is the stack's own", () => {
    expect(problems("prod", { longTermMetrics: { historyFrom: "standby" } })).toEqual([
      expect.stringMatching(
        /^longTermMetrics\.historyFrom \("standby"\): only a stack that uses another stack's replica/,
      ),
    ]);
    expect(problems("dr", { longTermMetrics: { historyFrom: "standby" } })).toEqual([
      expect.stringMatching(
        /^longTermMetrics\.historyFrom \("standby"\): is this stack's own environment/,
      ),
    ]);
  });

  it("refuses a Query endpoint that is not https at a host's root on a deployed stack", () => {
    const prod = stackFile("prod");
    const dashboards = JSON.parse(prod.config["port8000-monitoring:dashboards"]);
    const at = (prometheusUrl: string) =>
      problems("prod", {
        dashboards: { ...dashboards, datasources: { ...dashboards.datasources, prometheusUrl } },
      });
    expect(at("https://metrics.example.com")).toEqual([]);
    for (const url of ["http://metrics.example.com", "https://metrics.example.com/thanos"])
      expect(at(url)).toEqual([expect.stringMatching(/^dashboards\.datasources\.prometheusUrl/)]);
  });

  it("keeps the archive's lifecycle from expiring blocks before the Compactor's longest retention", () => {
    const config = stackConfig("prod", retention({ oneHour: "2y" }));
    expect(prometheusBlocksDays(config)).toBeGreaterThan(730);
    expect(prometheusBlocksDays(stackConfig("prod"))).toBeGreaterThan(365);
  });
});
