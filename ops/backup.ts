import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { localServerCommand } from "../lib/tools";
import { type Check, check } from "./checks";
import { PrometheusApi, Unreachable } from "./http";

/**
 * Guide 3.2 "Test backup/restore of Prometheus snapshots": a snapshot through the admin API,
 * restored into a throwaway Prometheus (the same binary as the local stack) that must answer the
 * same series as the original at the moment of the snapshot. The restore is the one
 * docs/backups.md describes: TSDB blocks copied into an empty data directory.
 */

const NAME = "backup/restore (snapshot)";
export const SERIES_BY_NAME = 'count by (__name__) ({__name__=~".+"})';
const READY_TIMEOUT_MS = 60_000;
/** Restored blocks may be old; the default 15d retention would delete them on start. */
const RESTORE_RETENTION = "3650d";

export type SeriesCounts = ReadonlyMap<string, number>;

export async function seriesCounts(prom: PrometheusApi, at: number): Promise<SeriesCounts> {
  const samples = await prom.query(SERIES_BY_NAME, at);
  return new Map(samples.map((s) => [s.metric.__name__, s.value]));
}

/** Pure: the restored Prometheus must answer every series name with the same count. */
export function compareSeries(original: SeriesCounts, restored: SeriesCounts): string[] {
  const problems: string[] = [];
  for (const [name, count] of original) {
    const got = restored.get(name);
    if (got === undefined) problems.push(`${name} missing`);
    else if (got !== count) problems.push(`${name}: ${got} series, expected ${count}`);
  }
  for (const name of restored.keys()) if (!original.has(name)) problems.push(`${name} unexpected`);
  return problems;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the throwaway Prometheus exited (${child.exitCode})`);
    const ok = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(200);
  }
  throw new Error(`the throwaway Prometheus was not ready after ${READY_TIMEOUT_MS / 1000}s`);
}

/** Starts a Prometheus on a copy of `blocksDir`, hands its API to `use`, and removes it all. */
export async function withRestored<T>(
  blocksDir: string,
  use: (prom: PrometheusApi) => Promise<T>,
): Promise<T> {
  const work = mkdtempSync(join(tmpdir(), "port8000-restore-"));
  const data = join(work, "data");
  cpSync(blocksDir, data, { recursive: true });
  const config = join(work, "prometheus.yml");
  writeFileSync(config, "global:\n  scrape_interval: 1m\n");
  const port = await freePort();
  // The local stack's own binary: the restore is proven on what the stack runs.
  const command = localServerCommand("prometheus").command;
  const child = spawn(
    command,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${data}`,
      `--storage.tsdb.retention.time=${RESTORE_RETENTION}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: "ignore" },
  );
  const spawned = new Promise<void>((done, fail) => {
    child.once("spawn", () => done());
    child.once("error", (err) => fail(new Error(`cannot start ${command}: ${err.message}`)));
  });
  const exited = new Promise((done) => child.once("exit", done));
  try {
    await spawned;
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url, child);
    return await use(new PrometheusApi(url));
  } finally {
    await stopChild(child, exited, STOP_GRACE_MS);
    rmSync(work, { recursive: true, force: true });
  }
}

const STOP_GRACE_MS = 10_000;

/**
 * SIGTERM, then SIGKILL after `graceMs`; the grace timer is cleared when the child exits, so an
 * in-process caller (runOps) is not held for the rest of it.
 */
export async function stopChild(child: ChildProcess, exited: Promise<unknown>, graceMs: number) {
  if (child.exitCode !== null || child.pid === undefined) return;
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise((done) => {
    timer = setTimeout(done, graceMs);
  });
  await Promise.race([exited, grace]);
  clearTimeout(timer);
  if (child.exitCode === null) child.kill("SIGKILL");
}

export async function backupCheck(
  prom: PrometheusApi,
  progress: (l: string) => void,
): Promise<Check> {
  const tsdbPath = (await prom.flags())["storage.tsdb.path"];
  const at = Math.floor(Date.now() / 1000);
  let name: string;
  try {
    progress("  POST /api/v1/admin/tsdb/snapshot");
    name = await prom.snapshot();
  } catch (err) {
    if (!(err instanceof Unreachable)) throw err;
    if (/admin APIs disabled/i.test(err.message)) {
      // Prod keeps the admin API off; its backups are the sidecar's uploads (docs/backups.md).
      return check(
        NAME,
        "warn",
        "the admin API is off here (as in prod): no snapshot taken; run the restore drill of docs/backups.md on the uploaded blocks",
      );
    }
    return check(NAME, "fail", `no snapshot: ${err.message}`);
  }
  const dir = resolve(tsdbPath ?? "", "snapshots", name);
  if (!tsdbPath || !existsSync(dir)) {
    return check(
      NAME,
      "warn",
      `snapshot ${name} taken, but ${dir} is not on this machine: copy it out and restore it as docs/backups.md says`,
    );
  }
  const original = await seriesCounts(prom, at);
  if (original.size === 0)
    return check(NAME, "fail", `Prometheus answered no series at ${at}: nothing to prove`);
  try {
    progress(`  restoring ${dir} into a throwaway Prometheus`);
    const restored = await withRestored(dir, (copy) => seriesCounts(copy, at));
    const problems = compareSeries(original, restored);
    const total = [...original.values()].reduce((a, b) => a + b, 0);
    if (problems.length) {
      return check(
        NAME,
        "fail",
        `snapshot ${name} restored, but ${problems.length} series names differ: ${problems.slice(0, 5).join("; ")}`,
      );
    }
    rmSync(dir, { recursive: true, force: true });
    return check(
      NAME,
      "ok",
      `snapshot ${name} restored into a throwaway Prometheus: same ${original.size} series names, ${total} series`,
    );
  } catch (err) {
    return check(NAME, "fail", `snapshot ${name} did not restore: ${(err as Error).message}`);
  }
}
