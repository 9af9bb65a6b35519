import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { readEntry, writeEntry } from "../lib/file-cache";
import { ROOT_DIR } from "../lib/tools";

/**
 * `helm template`'s output, cached by everything that decides it: the chart's files, the
 * release's name, namespace and values, the capabilities passed, the Helm binary and the code
 * that prepares the chart. The three cluster test files render the same prod releases: each renders
 * once, and a warm cache renders none.
 */

export const HELM_CACHE = join(ROOT_DIR, "node_modules", ".cache", "port8000-helm-renders");

/** An entry unused this long is dropped when another is written. */
const MAX_AGE_MS = 14 * 24 * 3600 * 1000;

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      // statSync follows symlinks: vendored charts link to CRD folders.
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

export interface RenderInputs {
  readonly chartDir: string;
  readonly helm: string;
  /** Source files whose change changes the render (the chart preparation). */
  readonly code: readonly string[];
  /** The release and options, as JSON-serialisable data. */
  readonly request: unknown;
}

export function renderKey(inputs: RenderInputs): string {
  const hash = createHash("sha256");
  const add = (label: string, data: string | Buffer) =>
    hash.update(label).update("\0").update(data).update("\0");
  for (const file of filesUnder(inputs.chartDir)) {
    add(relative(inputs.chartDir, file), readFileSync(file));
  }
  const { size, mtimeMs } = statSync(inputs.helm);
  add("helm", `${size}:${mtimeMs}`);
  for (const file of inputs.code) add(file, readFileSync(file));
  add("request", JSON.stringify(inputs.request));
  return hash.digest("hex").slice(0, 32);
}

/** The cached output for the key, or undefined. */
export function readRender(key: string, cacheDir = HELM_CACHE): string | undefined {
  return readEntry(join(cacheDir, `${key}.yaml`));
}

export function storeRender(key: string, text: string, cacheDir = HELM_CACHE): void {
  writeEntry(join(cacheDir, `${key}.yaml`), text, MAX_AGE_MS);
}
