import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeOpenMetrics } from "../../backtest/record";
import { faultsAt, parseScenario } from "../../backtest/scenario";
import { Port8000Model } from "../../local/simulator/model";
import { renderFamilies } from "../../local/simulator/registry";
import { ROOT } from "../support/program";
import { tempDir } from "../support/temp";

const WEEK = readFileSync(join(ROOT, "backtest", "scenarios", "week.json"), "utf8");
const MIN = 60_000;

const small = (incidents: unknown[]) =>
  JSON.stringify({
    name: "small",
    description: "two hours",
    start: "2026-01-05T00:00:00Z",
    days: 1,
    bots: 3,
    scrapeInterval: "1m",
    requestsPerSecond: 2,
    incidents,
  });

describe("the simulator's request rate", () => {
  it("sets how many requests a recording serves, not their error share", () => {
    const served = (rps?: number) => {
      const model = new Port8000Model(2, 1, 0, rps);
      model.faults = { errorRatio: 0.1 };
      model.tick(600_000);
      const lines = renderFamilies(model.families.values()).split("\n");
      const count = (status: RegExp) =>
        lines
          .filter((l) => l.startsWith("http_requests_total{") && status.test(l))
          .reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);
      return { all: count(/status="/), errors: count(/status="5/) };
    };
    // Whole requests; the fractional carry can leave the last error for the next tick.
    const slow = served(1);
    expect(slow.all).toBe(600);
    expect(Math.abs(slow.errors - 60)).toBeLessThanOrEqual(1);
    const full = served();
    expect(full.all).toBe(200 * 600);
    expect(Math.abs(full.errors - 200 * 60)).toBeLessThanOrEqual(1);
  });
});

describe("recorded scenarios", () => {
  it("refuse an incident fault the simulator does not accept, naming its path", () => {
    const bad = small([{ name: "x", at: "1h", duration: "5m", faults: { crashBot: "bot-99" } }]);
    expect(() => parseScenario(bad, "s.json")).toThrow(/s\.json: incidents\.0\.faults: crashBot/);
    const late = small([{ name: "x", at: "23h58m", duration: "5m", faults: {} }]);
    expect(() => parseScenario(late, "s.json")).toThrow(/incidents\.0: ends after the scenario/);
    expect(() => parseScenario(small([]).replace('"1m"', '"soon"'), "s.json")).toThrow(
      /scrapeInterval/,
    );
  });

  it("hold each incident's faults for its duration only", () => {
    const week = parseScenario(WEEK, "week.json");
    const [minor] = week.incidents.filter((i) => i.name === "minor queue backlog");
    expect(minor.endMs - minor.startMs).toBe(25 * MIN);
    expect(faultsAt(week, minor.startMs)).toEqual({ queueDepth: 15 });
    expect(faultsAt(week, minor.endMs)).toEqual({});
  });

  it("are recorded by the simulator's model, deterministically, with the job's labels", () => {
    const s = parseScenario(
      small([{ name: "backlog", at: "1h", duration: "10m", faults: { queueDepth: 30 } }]),
      "s.json",
    );
    const dir = tempDir("scenario");
    const names = new Set(["task_queue_depth", "http_requests_total"]);
    const samples = writeOpenMetrics(s, names, join(dir, "a.om"));
    writeOpenMetrics(s, names, join(dir, "b.om"));
    const a = readFileSync(join(dir, "a.om"), "utf8");
    expect(readFileSync(join(dir, "b.om"), "utf8")).toBe(a);
    const lines = a.trimEnd().split("\n");
    expect(lines.pop()).toBe("# EOF");
    expect(lines).toHaveLength(samples);
    // One queue sample and 9 request series (3 handlers × 3 statuses) per scrape, a day at 1m.
    expect(samples).toBe(1440 * 10);
    const queue = lines.filter((l) => l.startsWith("task_queue_depth{"));
    const at = (ms: number) => queue.find((l) => l.endsWith(` ${(ms / 1000).toFixed(3)}`));
    const hour = s.startMs + 60 * MIN;
    expect(at(hour - MIN)).toBe(
      `task_queue_depth{job="port8000",instance="port8000:8000"} 3 ${((hour - MIN) / 1000).toFixed(3)}`,
    );
    expect(at(hour)).toContain("} 30 ");
    expect(at(hour + 10 * MIN)).toContain("} 3 ");
  });
});
