import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireTool } from "../../../lib/tools";
import type { LocalStack } from "../../../local/stack";

/**
 * History older than the local Prometheus' retention (2d), written by promtool for two replicas
 * with different gaps and shipped to the stack's filesystem bucket by Thanos' own uploader (the
 * sidecar's shipper).
 */

export const MINUTES = 180;
export const STEP_S = 60;
/** Ten days ago, on a whole hour: older than the local retention, inside one 2h-aligned range. */
export const START_S = Math.floor((Date.now() / 1000 - 10 * 86_400) / 7200) * 7200;
export const GAPS = { "local-a": [30, 60], "local-b": [120, 150] } as const;
export const SERIES = 'task_queue_depth{job="port8000",instance="history"}';
export type Replica = keyof typeof GAPS;

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 60_000 });
  if (result.status !== 0)
    throw new Error(`${command} ${args[0]} failed: ${result.stdout}${result.stderr}`);
}

/** One replica's history: minute i holds the value i, except inside its gap. */
function openMetrics(replica: Replica): string {
  const [from, to] = GAPS[replica];
  const lines = ["# TYPE task_queue_depth gauge"];
  for (let i = 0; i < MINUTES; i++)
    if (i < from || i >= to) lines.push(`${SERIES} ${i} ${START_S + i * STEP_S}`);
  return `${lines.join("\n")}\n# EOF\n`;
}

export function shipHistory(s: LocalStack, replica: Replica): void {
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

export interface Series {
  metric: Record<string, string>;
  values: [number, string][];
}

/** The history's whole range of SERIES from a Prometheus-compatible API. */
export async function historyRange(base: string, dedup: boolean): Promise<Series[]> {
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
