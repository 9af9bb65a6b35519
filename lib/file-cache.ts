import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";

/**
 * Entries of the caches under node_modules/.cache (lib/node-bundle.ts, lib/yaml-cache.ts,
 * cluster/helm-cache.ts): one file each, named by a hash of what it was made from. A cache is
 * only ever a saving, so a missing, unreadable or unwritable entry is a miss, never an error.
 */

/** An entry's text, marked as just used; undefined when it is missing or unreadable. */
export function readEntry(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // A cache this user cannot write is still read: the entry ages, and only a writer drops it.
  }
  return text;
}

/**
 * Writes an entry aside and renames it into place, so a concurrent reader sees all of it or
 * none; then, with `maxAgeMs`, drops the entries unused for that long.
 */
export function writeEntry(file: string, data: string | Uint8Array, maxAgeMs?: number): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, data);
    renameSync(partial, file);
    if (maxAgeMs !== undefined) dropUnused(dirname(file), maxAgeMs);
  } catch {
    // A cache that cannot be written only costs the next run the work it would have saved.
  }
}

function dropUnused(cacheDir: string, maxAgeMs: number): void {
  const oldest = Date.now() - maxAgeMs;
  for (const entry of readdirSync(cacheDir)) {
    const path = join(cacheDir, entry);
    try {
      if (statSync(path).mtimeMs < oldest) rmSync(path, { force: true });
    } catch {
      // Removed by a concurrent writer.
    }
  }
}
