import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PORT_SPAN } from "../../local/ports";
import { portInUse } from "../../local/supervisor";

/** `npm run local` as a user runs it: flags, ready.json, Ctrl-C/SIGTERM, a child dying. */

jest.setTimeout(60_000);

const ROOT = resolve(__dirname, "../..");
const TSX = join(ROOT, "node_modules/.bin/tsx");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let cli: ChildProcess | undefined;
let output = "";

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "port8000-cli-"));
  output = "";
});

afterEach(() => {
  if (cli?.pid && cli.exitCode === null) process.kill(cli.pid, "SIGKILL");
  for (const pid of pidsMentioning(dir)) process.kill(pid, "SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

function startCli(portBase: number): ChildProcess {
  const child = spawn(
    TSX,
    ["local/main.ts", "--state", dir, "--port-base", String(portBase), "--time-scale", "60"],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout?.on("data", (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    output += c.toString();
  });
  cli = child;
  return child;
}

/** Processes whose command line names `text`: what the stack started and may have left. */
function pidsMentioning(text: string): number[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function waitReady(child: ChildProcess): Promise<Record<string, unknown>> {
  const file = join(dir, "ready.json");
  for (let i = 0; i < 300 && !existsSync(file); i += 1) {
    if (child.exitCode !== null) throw new Error(`local exited early:\n${output}`);
    await sleep(100);
  }
  return JSON.parse(readFileSync(file, "utf8"));
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once("exit", (code) => r(code)));
}

async function openPorts(base: number): Promise<number[]> {
  const ports = Array.from({ length: PORT_SPAN }, (_, i) => base + i);
  const open = await Promise.all(ports.map((p) => portInUse(p)));
  return ports.filter((_, i) => open[i]);
}

test("a bad flag exits 2 naming the flag", () => {
  const run = spawnSync(TSX, ["local/main.ts", "--bots", "lots"], { cwd: ROOT, encoding: "utf8" });
  expect(run.status).toBe(2);
  expect(run.stderr).toContain("--bots");
});

test("SIGTERM stops every component: no process and no port left", async () => {
  const child = startCli(19700);
  const ready = await waitReady(child);
  expect(ready).toMatchObject({ prometheus: "http://127.0.0.1:19700", timeScale: 60 });
  expect(output).toContain("prometheus ready");
  expect(pidsMentioning(dir).length).toBeGreaterThanOrEqual(3);
  child.kill("SIGTERM");
  expect(await exited(child)).toBe(0);
  expect(pidsMentioning(dir)).toEqual([]);
  expect(await openPorts(19700)).toEqual([]);
});

test("a child that dies is named, and the rest are stopped", async () => {
  const child = startCli(19710);
  await waitReady(child);
  const [exporter] = pidsMentioning("--web.listen-address=127.0.0.1:19714");
  expect(exporter).toBeDefined();
  process.kill(exporter, "SIGKILL");
  expect(await exited(child)).toBe(1);
  expect(output).toContain("node-exporter exited unexpectedly");
  expect(pidsMentioning(dir)).toEqual([]);
  expect(await openPorts(19710)).toEqual([]);
});
