import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where tempDir() lists its directories on the test file's global (tests/support/environment.ts). */
export const TEMP_DIRS = "__port8000TempDirs";

/** A fresh temporary directory, removed when the test file is done (by the test environment). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const global = globalThis as unknown as Record<string, string[] | undefined>;
  global[TEMP_DIRS] = [...(global[TEMP_DIRS] ?? []), dir];
  return dir;
}
