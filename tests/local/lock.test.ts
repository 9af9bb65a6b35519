import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOCK_FILE, lockState, StateLocked } from "../../local/lock";

/** One stack per --state directory; a lock left by a killed stack does not block the next. */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "port8000-lock-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A pid that existed and is gone. */
function deadPid(): number {
  const run = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  });
  return Number(run.stdout);
}

test("writes the holder's pid and removes it on release", () => {
  const lock = lockState(dir, process.pid);
  expect(readFileSync(join(dir, LOCK_FILE), "utf8").trim()).toBe(String(process.pid));
  lock.release();
  expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
});

test("refuses while another live process holds it, naming that pid", () => {
  const other = process.ppid;
  writeFileSync(join(dir, LOCK_FILE), `${other}\n`);
  expect(() => lockState(dir, process.pid)).toThrow(StateLocked);
  expect(() => lockState(dir, process.pid)).toThrow(`pid ${other}`);
  expect(readFileSync(join(dir, LOCK_FILE), "utf8").trim()).toBe(String(other));
});

test("takes over a stale lock whose pid is gone", () => {
  writeFileSync(join(dir, LOCK_FILE), `${deadPid()}\n`);
  lockState(dir, process.pid);
  expect(readFileSync(join(dir, LOCK_FILE), "utf8").trim()).toBe(String(process.pid));
});

test("takes over a lock file that holds no pid", () => {
  writeFileSync(join(dir, LOCK_FILE), "garbage");
  lockState(dir, process.pid);
  expect(readFileSync(join(dir, LOCK_FILE), "utf8").trim()).toBe(String(process.pid));
});

test("release leaves a lock another process took over", () => {
  const lock = lockState(dir, process.pid);
  writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`);
  lock.release();
  expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
});
