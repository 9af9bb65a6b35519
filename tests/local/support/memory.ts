import { type ChildProcess, spawn } from "node:child_process";
import type { LocalStack } from "../../../local/stack";

/**
 * The leak rule also wants the host's MemAvailable falling; the node exporter reports this real
 * machine, so a helper process eats memory for that.
 */

/** Takes 64 MiB every 250 ms (up to 2 GiB), so MemAvailable falls while it runs. */
export function eatMemory(): ChildProcess {
  const script =
    "const a=[];const t=setInterval(()=>{a.push(Buffer.alloc(64<<20,1));if(a.length>=32)clearInterval(t)},250);setTimeout(()=>{},600000)";
  return spawn(process.execPath, ["-e", script], { stdio: "ignore" });
}

/** Kills it and resolves once it has exited. */
export async function stopEating(eater: ChildProcess | undefined): Promise<void> {
  if (!eater || eater.exitCode !== null || eater.signalCode !== null) return;
  const exited = new Promise((done) => eater.once("exit", done));
  eater.kill("SIGKILL");
  await exited;
}

/** true once the series has at least `count` samples in the last (scaled) 15 minutes. */
export async function samplesOf(s: LocalStack, series: string, count: number) {
  const query = `count_over_time(${series}[15s]) >= ${count}`;
  const res = await fetch(`${s.urls.prometheus}/api/v1/query?query=${encodeURIComponent(query)}`);
  const doc = (await res.json()) as { data: { result: unknown[] } };
  return doc.data.result.length > 0 ? true : undefined;
}
