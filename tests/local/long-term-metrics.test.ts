import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireTool } from "../../lib/tools";
import type { LocalStack } from "../../local/stack";
import { startE2eStack, stopE2eStack, waitFor } from "./support/harness";

/**
 * Long-term metrics end to end on the local stack: blocks older than the local Prometheus'
 * retention (2d), written by promtool for two replicas with different gaps and shipped to the
 * filesystem bucket by Thanos' own uploader (the sidecar's shipper), come back through Query
 * deduplicated into one gap-free series; the live data comes through the sidecar.
 */

jest.setTimeout(180_000);

const MINUTES = 180;
const STEP_S = 60;
/** Ten days ago, on a whole hour: older than the local retention, inside one 2h-aligned range. */
const START_S = Math.floor((Date.now() / 1000 - 10 * 86_400) / 7200) * 7200;
const GAPS = { "local-a": [30, 60], "local-b": [120, 150] } as const;
const SERIES = 'task_queue_depth{job="port8000",instance="history"}';

let stack: LocalStack | undefined;

beforeAll(async () => {
  stack = await startE2eStack(19850);
}, 90_000);

afterAll(() => stopE2eStack(stack));

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 60_000 });
  if (result.status !== 0)
    throw new Error(`${command} ${args[0]} failed: ${result.stdout}${result.stderr}`);
}

/** One replica's history: minute i holds the value i, except inside its gap. */
function openMetrics(replica: keyof typeof GAPS): string {
  const [from, to] = GAPS[replica];
  const lines = ["# TYPE task_queue_depth gauge"];
  for (let i = 0; i < MINUTES; i++)
    if (i < from || i >= to) lines.push(`${SERIES} ${i} ${START_S + i * STEP_S}`);
  return `${lines.join("\n")}\n# EOF\n`;
}

function shipHistory(s: LocalStack, replica: keyof typeof GAPS): void {
  const dir = join(s.stateDir, "history", replica);
  mkdirSync(join(dir, "blocks"), { recursive: true });
  writeFileSync(join(dir, "input.om"), openMetrics(replica));
  run(requireTool("promtool"), [
    "tsdb",
    "create-blocks-from",
    "openmetrics",
    join(dir, "input.om"),
    join(dir, "blocks"),
  ]);
  run(requireTool("thanos"), [
    "tools",
    "bucket",
    "upload-blocks",
    `--path=${join(dir, "blocks")}`,
    `--objstore.config-file=${join(s.stateDir, "config", "thanos", "objstore.yml")}`,
    '--label=environment="local"',
    '--label=region="local"',
    `--label=prometheus_replica="${replica}"`,
  ]);
}

interface Series {
  metric: Record<string, string>;
  values: [number, string][];
}

async function range(base: string, dedup: boolean): Promise<Series[]> {
  const params = new URLSearchParams({
    query: SERIES,
    start: String(START_S),
    end: String(START_S + (MINUTES - 1) * STEP_S),
    step: String(STEP_S),
    dedup: String(dedup),
  });
  const doc = (await (await fetch(`${base}/api/v1/query_range?${params}`)).json()) as {
    status: string;
    data: { result: Series[] };
    error?: string;
  };
  if (doc.status !== "success") throw new Error(`query_range: ${doc.error}`);
  return doc.data.result;
}

test("history older than Prometheus' retention comes back through Query, deduplicated", async () => {
  const s = stack as LocalStack;
  const query = s.urls.thanosQuery;
  expect(query).toBeDefined();
  shipHistory(s, "local-a");
  shipHistory(s, "local-b");

  const raw = await waitFor(
    "both replicas' blocks served by the Store Gateway",
    async () => {
      const found = await range(query as string, false);
      return found.length === 2 ? found : undefined;
    },
    60_000,
  );
  expect(raw.map((r) => r.metric.prometheus_replica).sort()).toEqual(["local-a", "local-b"]);
  for (const replica of raw) expect(replica.values.length).toBeLessThan(MINUTES);

  const [merged, ...more] = await range(query as string, true);
  expect(more).toEqual([]);
  expect(merged.metric.prometheus_replica).toBeUndefined();
  expect(merged.values.map(([t, v]) => [t - START_S, Number(v)])).toEqual(
    Array.from({ length: MINUTES }, (_, i) => [i * STEP_S, i]),
  );

  // Prometheus itself never had it: it is the bucket's.
  expect(await range(s.urls.prometheus, true)).toEqual([]);
});

test("Query reads the live Prometheus through the sidecar", async () => {
  const s = stack as LocalStack;
  const live = await waitFor('up{job="port8000"} through Query', async () => {
    const url = `${s.urls.thanosQuery}/api/v1/query?query=${encodeURIComponent('up{job="port8000"}')}`;
    const doc = (await (await fetch(url)).json()) as { data: { result: unknown[] } };
    return doc.data.result.length > 0 ? doc.data.result : undefined;
  });
  expect(live).toHaveLength(1);
});
