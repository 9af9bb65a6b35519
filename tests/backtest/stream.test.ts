import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ingestStream } from "../../backtest/record";
import { ScrapeStream } from "../../backtest/stream";
import { requireTool } from "../../lib/tools";

/** The scrape stream: only changes are written, yet every scrape holds every live series. */

jest.setTimeout(120_000);

const T0 = Date.parse("2026-01-05T00:00:00Z");
const SCRAPES: Record<string, number>[] = [
  { 'depth{queue="a"}': 1, 'depth{queue="b"}': 2, other: 7 },
  { 'depth{queue="a"}': 1, other: 7 },
  { 'depth{queue="a"}': 3, 'depth{queue="b"}': 2, other: 7 },
];

function stream(): string {
  const out: string[] = [];
  const s = new ScrapeStream('job="j"', new Set(["depth"]), out);
  SCRAPES.forEach((scrape, i) => {
    s.begin(T0 + i * 30_000);
    for (const [series, value] of Object.entries(scrape)) s.sample(series, value);
    s.end();
  });
  return out.join("");
}

it("writes a series once, then only its changes, and a series that went away", () => {
  expect(stream().split("\n")).toEqual([
    `t ${T0}`,
    's 0 depth{job="j",queue="a"}',
    "v 0 1",
    's 1 depth{job="j",queue="b"}',
    "v 1 2",
    `t ${T0 + 30_000}`,
    "x 1",
    `t ${T0 + 60_000}`,
    "v 0 3",
    's 2 depth{job="j",queue="b"}',
    "v 2 2",
    "",
  ]);
});

it("becomes blocks holding every live series at every scrape, and a stale marker when one goes", () => {
  const dir = mkdtempSync(join(tmpdir(), "backtest-stream-"));
  try {
    writeFileSync(join(dir, "s.stream"), stream());
    expect(ingestStream(join(dir, "s.stream"), join(dir, "blocks"))).toBe(6);
    mkdirSync(join(dir, "blocks", "wal"));
    const dump = spawnSync(requireTool("promtool"), ["tsdb", "dump", join(dir, "blocks")], {
      encoding: "utf8",
    });
    const at = (i: number) => T0 + i * 30_000;
    expect(dump.stdout.trim().split("\n").sort()).toEqual(
      [
        `{__name__="depth", job="j", queue="a"} 1 ${at(0)}`,
        `{__name__="depth", job="j", queue="a"} 1 ${at(1)}`,
        `{__name__="depth", job="j", queue="a"} 3 ${at(2)}`,
        `{__name__="depth", job="j", queue="b"} 2 ${at(0)}`,
        // As a scrape that no longer finds a series: gone at once, not 5 minutes later.
        `{__name__="depth", job="j", queue="b"} NaN ${at(1)}`,
        `{__name__="depth", job="j", queue="b"} 2 ${at(2)}`,
      ].sort(),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
