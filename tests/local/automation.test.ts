import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Receiver } from "../../lib/conventions";
import type { LocalStack } from "../../local/stack";
import {
  inject,
  startE2eStack,
  stopE2eStack,
  waitFor,
  waitForNotification,
} from "./support/harness";

/**
 * The automation path end to end: Port8000MemoryLeak (warning) → Alertmanager → automation
 * webhook (sink, then the real automation service) → heap snapshot requested from Port 8000.
 * The leak rule also wants the host's MemAvailable falling; a helper process eats memory for
 * that, since the node exporter reports this real machine.
 */

jest.setTimeout(120_000);

let stack: LocalStack | undefined;
let eater: ChildProcess | undefined;

beforeAll(async () => {
  stack = await startE2eStack(19400);
}, 90_000);

afterAll(async () => {
  eater?.kill("SIGKILL");
  await stopE2eStack(stack);
});

/** Takes 64 MiB every 250 ms (up to 2 GiB), so MemAvailable falls while it runs. */
function eatMemory(): ChildProcess {
  const script =
    "const a=[];const t=setInterval(()=>{a.push(Buffer.alloc(64<<20,1));if(a.length>=32)clearInterval(t)},250);setTimeout(()=>{},600000)";
  return spawn(process.execPath, ["-e", script], { stdio: "ignore" });
}

test("a memory leak warning reaches the automation service, which takes a heap snapshot", async () => {
  const s = running();
  await waitFor("a baseline of resident memory in Prometheus", () =>
    samplesOf(s, 'process_resident_memory_bytes{job="port8000"}', 3),
  );
  await inject(s, { residentMemoryMb: 900 });
  eater = eatMemory();
  const hook = await waitForNotification(s, Receiver.automation, "Port8000MemoryLeak");
  expect((hook.body as { status: string }).status).toBe("firing");
  await waitForNotification(s, Receiver.slackWarning, "Port8000MemoryLeak");
  const snapshots = join(s.stateDir, "automation", "heap-snapshots.jsonl");
  await waitFor("a heap snapshot taken on Port 8000", () =>
    existsSync(snapshots) && readFileSync(snapshots, "utf8").trim() !== "" ? true : undefined,
  );
  const actions = readFileSync(join(s.stateDir, "automation", "actions.jsonl"), "utf8");
  expect(actions).toContain("heap-snapshot");
  eater.kill("SIGKILL");
  await inject(s, {});
});

test("the automation service refuses a webhook without the bearer token", async () => {
  const s = running();
  const res = await fetch(`${s.urls.sinks}/automation`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ status: "firing", alerts: [] }),
  });
  expect(res.status).toBe(401);
});

/** true once the series has at least `count` samples in the last (scaled) 15 minutes. */
async function samplesOf(s: LocalStack, series: string, count: number) {
  const query = `count_over_time(${series}[15s]) >= ${count}`;
  const res = await fetch(`${s.urls.prometheus}/api/v1/query?query=${encodeURIComponent(query)}`);
  const doc = (await res.json()) as { data: { result: unknown[] } };
  return doc.data.result.length > 0 ? true : undefined;
}

function running(): LocalStack {
  if (!stack) throw new Error("the local stack did not start");
  return stack;
}
