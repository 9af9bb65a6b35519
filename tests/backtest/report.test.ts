import type { AlertComparison, Episode } from "../../backtest/compare";
import { markdownReport, type ReportContext } from "../../backtest/report";

/** The Markdown table keeps a fleet-wide incident readable: one line per distinct episode. */

const START = Date.parse("2026-12-02T20:05:00Z") / 1000;
const CTX: ReportContext = {
  baseRef: "base",
  headRef: "head",
  data: "a test",
  fromMs: START * 1000 - 86_400_000,
  toMs: START * 1000 + 86_400_000,
  interval: "30s",
  engine: "the engine",
  incidents: [
    {
      name: "fleet CPU saturation",
      startMs: START * 1000 - 300_000,
      endMs: START * 1000 + 900_000,
      faults: {},
    },
  ],
};

function row(added: Episode[]): AlertComparison {
  return {
    alert: "Port8000BotHighCpu",
    labels: { severity: "critical" },
    base: { defined: true, firings: 0, seconds: 0 },
    head: { defined: true, firings: added.length, seconds: 900 * added.length },
    missed: [],
    added,
  };
}

const bots = (n: number, offset: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => ({
    labels: { bot: `bot-${i}` },
    start: START + offset(i),
    end: START + offset(i) + 900,
  }));

const addedCell = (table: string) => table.trim().split("\n").pop()?.split(" | ").pop() ?? "";

it("counts the label sets that fired alike instead of listing each", () => {
  const cell = addedCell(markdownReport([row(bots(1_000, () => 0))], CTX));
  expect(cell).toBe("2026-12-02 20:05 for 15m (fleet CPU saturation) ×1000 |");
});

it("lists at most ten distinct episodes and counts the rest", () => {
  const cell = addedCell(markdownReport([row(bots(25, (i) => i * 3_600))], CTX));
  const lines = cell.replace(/ \|$/, "").split("<br>");
  expect(lines).toHaveLength(11);
  expect(lines[0]).toBe("2026-12-02 20:05 for 15m (fleet CPU saturation)");
  expect(lines[10]).toBe("… 15 more");
});
