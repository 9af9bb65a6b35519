import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runLocal } from "../../local/cli";
import { LOCK_FILE } from "../../local/lock";
import { PORT_SPAN } from "../../local/ports";
import { portInUse } from "../../local/supervisor";
import { captured } from "../support/captured";

/**
 * `npm run local` as a user runs it: flags, ready.json, Ctrl-C/SIGTERM, a child dying. What needs
 * a process of its own (a real SIGTERM, the lock's pid, a port taken before it starts) spawns the
 * bin; flags and a child dying run its entry (runLocal) in this process.
 */

jest.setTimeout(60_000);

const ROOT = resolve(__dirname, "../..");
/** `npm run local`'s command after `node`, from package.json: what a user's process runs. */
const LOCAL_COMMAND = (() => {
  const script: string = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts.local;
  const [node, ...args] = script.split(" ");
  if (node !== "node") throw new Error(`npm run local runs ${node}, not node: ${script}`);
  return args;
})();
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

function startCli(portBase: number, state = dir): ChildProcess {
  const child = spawn(
    process.execPath,
    [...LOCAL_COMMAND, "--state", state, "--port-base", String(portBase), "--time-scale", "60"],
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

test("a bad flag exits 2 naming the flag, before anything starts", async () => {
  const cases: [string[], RegExp][] = [
    [["--bots", "lots"], /^local: --bots must be a whole number/],
    [["--state"], /^local: --state needs a value/],
    [["--colour", "red"], /^local: unknown option "--colour"/],
  ];
  for (const [args, message] of cases) {
    const run = await captured((streams) =>
      runLocal(args, { ...streams, onStopRequest: () => () => {} }),
    );
    expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: "" });
    expect(run.stderr).toMatch(message);
  }
});

test("a child that dies is named, and the rest are stopped", async () => {
  let stop: ((why: string) => void) | undefined;
  const stopped = captured((streams) =>
    runLocal(["--state", dir, "--port-base", "19710", "--time-scale", "60"], {
      ...streams,
      onStopRequest: (s) => {
        stop = s;
        return () => {
          stop = undefined;
        };
      },
    }),
  );
  let ended = false;
  void stopped.then(() => {
    ended = true;
  });
  try {
    await waitFor(() => ended || existsSync(join(dir, "ready.json")));
    if (ended) throw new Error(`local ended before it was ready:\n${(await stopped).stderr}`);
    const [exporter] = pidsMentioning("--web.listen-address=127.0.0.1:19714");
    expect(exporter).toBeDefined();
    process.kill(exporter, "SIGKILL");
    const run = await stopped;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("node-exporter exited unexpectedly");
    expect(run.stdout).toMatch(/node-exporter died; stopping every component …\nstopped\.\n$/);
    expect(stop).toBeUndefined(); // no longer listening for a stop request
    expect(pidsMentioning(dir)).toEqual([]);
    expect(await openPorts(19710)).toEqual([]);
  } finally {
    stop?.("test cleanup");
    await stopped;
  }
});

/** Polls until `ready` holds, 30 s at most, failing the test with what the stack printed. */
async function waitFor(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !ready(); i += 1) await sleep(100);
  if (!ready()) throw new Error("local stack not ready in 30 s");
}

function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

function run(portBase: number): Promise<{ code: number | null; text: string }> {
  let text = "";
  const child = spawn(
    process.execPath,
    [...LOCAL_COMMAND, "--state", dir, "--port-base", String(portBase), "--time-scale", "60"],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (c: Buffer) => {
    text += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    text += c.toString();
  });
  return new Promise((r) => child.once("exit", (code) => r({ code, text })));
}

const stderrLines = (text: string) => text.split("\n").filter((l) => l.startsWith("local:"));

test("a port already in use: one line naming it, exit 2, nothing left running", async () => {
  const taken = await occupy(19723);
  try {
    const { code, text } = await run(19720);
    expect(code).toBe(2);
    expect(stderrLines(text)).toEqual([
      expect.stringContaining("port 19723 (sinks) is already in use"),
    ]);
    expect(text).not.toMatch(/\n\s+at /);
    expect(pidsMentioning(dir)).toEqual([]);
    expect((await openPorts(19720)).filter((p) => p !== 19723)).toEqual([]);
  } finally {
    taken.close();
  }
});

// One stack serves both: a second start refused while it runs, then a real SIGTERM.
test("a second stack on the same --state is refused naming the pid; SIGTERM then stops every component, no process or port left", async () => {
  const first = startCli(19730);
  const ready = await waitReady(first);
  expect(ready).toMatchObject({ prometheus: "http://127.0.0.1:19730", timeScale: 60 });
  expect(output).toContain("prometheus ready");
  expect(pidsMentioning(dir).length).toBeGreaterThanOrEqual(3);
  // `npm run local` runs the stack in the process it starts: no wrapper between a signal and it.
  const holder = Number(readFileSync(join(dir, LOCK_FILE), "utf8"));
  expect(holder).toBe(first.pid);
  // Its own ports, clear of the first stack's (PORT_SPAN of them from 19730).
  const second = await run(19730 + PORT_SPAN);
  expect(second.code).toBe(2);
  expect(stderrLines(second.text)).toEqual([
    expect.stringContaining(`another local stack (pid ${holder}) is running`),
  ]);
  expect(await openPorts(19730 + PORT_SPAN)).toEqual([]);
  expect(existsSync(join(dir, "ready.json"))).toBe(true);
  expect(first.exitCode).toBeNull();
  process.kill(holder, "SIGTERM");
  expect(await exited(first)).toBe(0);
  expect(output).toMatch(/SIGTERM; stopping every component …\nstopped\.\n$/);
  expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  expect(pidsMentioning(dir)).toEqual([]);
  expect(await openPorts(19730)).toEqual([]);
}, 120_000);
