import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, join } from "node:path";
import { ROOT_DIR, toolPath } from "../lib/tools";
import { pidIn, processAlive } from "../local/lock";
import { startControlPlane } from "./control-plane";
import { CRD_DIRS, installCrds } from "./crds";

/**
 * A seeded store: the etcd data directory of a control plane that has installed the vendored
 * CRDs, built once and copied by every control plane that starts from it (the tests'). Installing
 * the CRDs costs the API server about 7 s of CPU, nearly all of it its own status updates of the
 * schemas; a server starting on a store that already holds them only builds their OpenAPI.
 *
 * The seed is keyed by everything that decides its content: the CRD files, the etcd and
 * kube-apiserver binaries, and the code that starts the server and installs the CRDs.
 */

export const SEED_CACHE = join(ROOT_DIR, "node_modules", ".cache", "port8000-cluster-seed");

/** The code whose change must rebuild the seed. */
const SEED_CODE = ["control-plane.ts", "crds.ts", "kube.ts", "seed.ts"].map((f) =>
  join(ROOT_DIR, "cluster", f),
);

export interface SeedInputs {
  readonly crdDirs: readonly string[];
  readonly code: readonly string[];
  readonly binaries: readonly string[];
}

export const SEED_INPUTS: SeedInputs = {
  crdDirs: CRD_DIRS,
  code: SEED_CODE,
  binaries: [toolPath("etcd"), toolPath("kube-apiserver")],
};

/** A content hash of the CRD files and code, and the binaries' size and build time. */
export function seedKey(inputs: SeedInputs = SEED_INPUTS): string {
  const hash = createHash("sha256");
  const add = (label: string, data: string | Buffer) =>
    hash.update(`${label}\0`).update(data).update("\0");
  for (const dir of inputs.crdDirs) {
    for (const file of readdirSync(dir).sort()) add(file, readFileSync(join(dir, file)));
  }
  for (const file of inputs.code) add(file, readFileSync(file));
  for (const binary of inputs.binaries) {
    const { size, mtimeMs } = statSync(binary);
    add(binary, `${size}:${mtimeMs}`);
  }
  return hash.digest("hex").slice(0, 24);
}

/** Builds an etcd data directory into `dir` (which does not exist yet). */
export type SeedBuilder = (dir: string, workDir: string) => Promise<void>;

/** Starts a control plane on an empty store, installs the CRDs, stops it and keeps its store. */
export const installVendoredCrds: SeedBuilder = async (dir, workDir) => {
  const plane = await startControlPlane({ stateDir: workDir });
  try {
    await installCrds(plane.target);
  } finally {
    await plane.stop();
  }
  renameSync(join(workDir, "etcd"), dir);
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A builder's lock: a directory holding its pid, renamed into place so that it never exists
 * without one. False while another holds it; a lock whose builder is gone is removed.
 */
function tryLock(cacheDir: string, lock: string): boolean {
  const mine = mkdtempSync(join(cacheDir, ".lock-"));
  writeFileSync(join(mine, "pid"), `${process.pid}\n`);
  try {
    renameSync(mine, lock);
    return true;
  } catch (err) {
    rmSync(mine, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EEXIST" && code !== "ENOTEMPTY") throw err;
    const pid = pidIn(join(lock, "pid"));
    if (pid !== undefined && !processAlive(pid)) rmSync(lock, { recursive: true, force: true });
    return false;
  }
}

export interface SeedOptions {
  readonly cacheDir?: string;
  readonly key?: string;
  readonly build?: SeedBuilder;
  readonly timeoutMs?: number;
}

/**
 * The seed's path, built first when the cache lacks it. Concurrent callers (test files in other
 * workers) build it once: one takes the lock and builds into a temporary directory that it
 * renames into place; the others wait for the rename. A half-built seed is never visible.
 */
export async function seededStore(options: SeedOptions = {}): Promise<string> {
  const cacheDir = options.cacheDir ?? SEED_CACHE;
  const key = options.key ?? seedKey();
  const seed = join(cacheDir, key);
  const lock = join(cacheDir, `${key}.lock`);
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  mkdirSync(cacheDir, { recursive: true });
  while (!existsSync(seed)) {
    if (tryLock(cacheDir, lock)) {
      try {
        if (!existsSync(seed))
          await buildInto(seed, cacheDir, options.build ?? installVendoredCrds);
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    } else {
      if (Date.now() > deadline) throw new Error(`seed ${seed}: another build holds ${lock}`);
      await sleep(500);
    }
  }
  return seed;
}

async function buildInto(seed: string, cacheDir: string, build: SeedBuilder): Promise<void> {
  const work = mkdtempSync(join(cacheDir, ".build-"));
  try {
    await build(join(work, "store"), join(work, "plane"));
    // Two builders can meet when both found the same dead builder's lock: the first one's seed
    // stands, built from the same inputs.
    renameSeed(join(work, "store"), seed);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  pruneOtherSeeds(cacheDir, basename(seed));
}

function renameSeed(store: string, seed: string): void {
  try {
    renameSync(store, seed);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!((code === "EEXIST" || code === "ENOTEMPTY") && existsSync(seed))) throw err;
  }
}

/** A build directory untouched this long was left by a killed builder. */
const ABANDONED_BUILD_MS = 60 * 60 * 1000;

/**
 * Seeds of other keys are stale (70 MB each): the inputs they were built from changed. So is a
 * build or lock directory a killed builder left; a live builder's is younger than an hour.
 */
function pruneOtherSeeds(cacheDir: string, key: string): void {
  for (const entry of readdirSync(cacheDir)) {
    const path = join(cacheDir, entry);
    // A waiter's lock attempt can vanish between the listing and this look.
    const abandoned = () =>
      Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) >
      ABANDONED_BUILD_MS;
    const stale = entry.startsWith(".") ? abandoned() : entry !== key && !entry.endsWith(".lock");
    if (stale) rmSync(path, { recursive: true, force: true });
  }
}
