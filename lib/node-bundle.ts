import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { type BuildOptions, buildSync, type Metafile, version } from "esbuild";
import { readEntry, writeEntry } from "./file-cache";

type BundleInput = Pick<BuildOptions, "entryPoints" | "stdin">;

const OPTIONS = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: true,
  legalComments: "none",
  write: false,
  logLevel: "error",
} as const satisfies BuildOptions;

/**
 * A directory to reuse bundles in, set by the test run for itself (tests/support/global-setup.ts).
 * Without it every bundle is built: a cache that outlived one run could serve code whose
 * imports now resolve elsewhere (a dependency's `main`, a new nested install, a new file).
 */
export const BUNDLE_CACHE_ENV = "PORT8000_BUNDLE_CACHE";

/** Files written this recently may still have been changing while esbuild read them. */
const SETTLED_MS = 2_000;

/**
 * Code shipped in a ConfigMap and run by Node in a pinned image: one minified CommonJS file
 * with its dependencies, so the pod needs no registry and no install step.
 *
 * Within a test run, a bundle is kept with the content hash of every file esbuild read for it and
 * reused while each is unchanged: every program run bundled the same code, and esbuild took a
 * quarter of a run's CPU.
 */
export function nodeBundle(
  input: BundleInput,
  cacheDir = process.env[BUNDLE_CACHE_ENV],
): Uint8Array {
  if (!cacheDir) return buildSync({ ...input, ...OPTIONS }).outputFiles[0].contents;
  const file = join(cacheDir, `${keyOf(input)}.json`);
  const cached = readCached(file);
  if (cached) return cached;
  const started = Date.now();
  const result = buildSync({ ...input, ...OPTIONS, metafile: true });
  const contents = result.outputFiles[0].contents;
  const inputs = inputFiles(result.metafile);
  const hashed = hashes(inputs);
  // Checked after hashing: a file written since esbuild began shows here, whenever it was.
  if (inputs.every((path) => statSync(path).mtimeMs < started - SETTLED_MS)) {
    writeCached(file, hashed, contents);
  }
  return contents;
}

interface StoredEntry {
  readonly inputs: Record<string, string>;
  readonly bundle: string;
}

function keyOf(input: BundleInput): string {
  const what = JSON.stringify({ esbuild: version, cwd: process.cwd(), input, options: OPTIONS });
  return createHash("sha256").update(what).digest("hex");
}

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** esbuild names inputs relative to the working directory; stdin's contents are in the key. */
function inputFiles(metafile: Metafile | undefined): string[] {
  return Object.keys(metafile?.inputs ?? {})
    .filter((name) => name !== "<stdin>")
    .map((name) => (isAbsolute(name) ? name : resolve(name)))
    .sort();
}

function hashes(paths: readonly string[]): Record<string, string> {
  return Object.fromEntries(paths.map((path) => [path, sha256(path)]));
}

/** The bundle, if the entry exists and every input still has its hash; a miss otherwise. */
function readCached(file: string): Uint8Array | undefined {
  try {
    const entry = JSON.parse(readEntry(file) ?? "null") as StoredEntry | null;
    if (!entry) return undefined;
    const unchanged = Object.entries(entry.inputs).every(([path, hash]) => sha256(path) === hash);
    return unchanged ? new Uint8Array(Buffer.from(entry.bundle, "base64")) : undefined;
  } catch {
    return undefined;
  }
}

/** One file per bundle: its inputs' hashes and the bundle itself. */
function writeCached(file: string, inputs: Record<string, string>, bundle: Uint8Array): void {
  const stored: StoredEntry = { inputs, bundle: Buffer.from(bundle).toString("base64") };
  writeEntry(file, JSON.stringify(stored));
}
