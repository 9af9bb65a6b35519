import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

/**
 * Every jest run gets its own temporary directory: the global setup points TMPDIR at it, so the
 * workers, and every tool, server and tsx process a test starts, create their scratch files
 * there. The global teardown removes it and fails the run naming what a test left behind, so a
 * leak is a failing run instead of hundreds of directories piling up in /tmp.
 */

/** Set by the global setup for the teardown: the run's directory. */
export const SCRATCH_ENV = "PORT8000_TEST_TMPDIR";

/** tsx keeps its compile cache under the temporary directory; the run shares the usual one. */
const tsxCache = () => `tsx-${userInfo().uid}`;

/** The run's own esbuild bundles (lib/node-bundle.ts), shared by its workers and children. */
const BUNDLES = "port8000-bundles";
export const bundleCacheOf = (scratch: string) => join(scratch, BUNDLES);

export function createScratch(): string {
  const parent = tmpdir();
  const dir = mkdtempSync(join(parent, "port8000-jest-"));
  mkdirSync(join(parent, tsxCache()), { recursive: true });
  symlinkSync(join(parent, tsxCache()), join(dir, tsxCache()));
  mkdirSync(bundleCacheOf(dir));
  return dir;
}

/** Removes the run's directory; returns what tests left in it. */
export function removeScratch(dir: string): string[] {
  const left = readdirSync(dir).filter((entry) => entry !== tsxCache() && entry !== BUNDLES);
  rmSync(dir, { recursive: true, force: true });
  return left.sort();
}
