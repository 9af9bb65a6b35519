import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type SeedBuilder, type SeedInputs, seededStore, seedKey } from "../../cluster/seed";
import { tempDir } from "../support/temp";

/**
 * The seeded store's cache: keyed by what decides its content, built once by concurrent callers,
 * never visible half-built. The build itself (installCrds on a real API server) is exercised by
 * the cluster test files whenever the cache lacks the seed.
 */

function inputs(): SeedInputs {
  const dir = tempDir("seed-inputs");
  const crds = join(dir, "crds");
  mkdirSync(crds);
  writeFileSync(join(crds, "a.yaml"), "kind: CustomResourceDefinition\n");
  writeFileSync(join(dir, "code.ts"), "export {};\n");
  writeFileSync(join(dir, "etcd"), "binary");
  return { crdDirs: [crds], code: [join(dir, "code.ts")], binaries: [join(dir, "etcd")] };
}

const fakeBuild = (calls: string[], delayMs = 200): SeedBuilder => {
  return async (dir) => {
    calls.push(dir);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    mkdirSync(dir);
    writeFileSync(join(dir, "store"), `built by call ${calls.length}`);
  };
};

describe("seedKey", () => {
  it("changes with a CRD file, a new CRD file, the code and the binaries", () => {
    const given = inputs();
    const keys = [seedKey(given)];
    writeFileSync(join(given.crdDirs[0], "a.yaml"), "kind: CustomResourceDefinition\n# edit\n");
    keys.push(seedKey(given));
    writeFileSync(join(given.crdDirs[0], "b.yaml"), "kind: CustomResourceDefinition\n");
    keys.push(seedKey(given));
    writeFileSync(given.code[0], "export const changed = 1;\n");
    keys.push(seedKey(given));
    utimesSync(given.binaries[0], new Date(2020, 0, 1), new Date(2020, 0, 1));
    keys.push(seedKey(given));
    expect(new Set(keys).size).toBe(keys.length);
    expect(seedKey(given)).toBe(keys[keys.length - 1]);
  });
});

describe("seededStore", () => {
  it("builds once for concurrent callers and leaves no lock or build directory behind", async () => {
    const cacheDir = tempDir("seed-cache");
    const calls: string[] = [];
    const build = fakeBuild(calls);
    const paths = await Promise.all(
      [1, 2, 3].map(() => seededStore({ cacheDir, key: "k1", build })),
    );
    expect(calls).toHaveLength(1);
    expect(new Set(paths)).toEqual(new Set([join(cacheDir, "k1")]));
    expect(readFileSync(join(cacheDir, "k1", "store"), "utf8")).toBe("built by call 1");
    expect(readdirSync(cacheDir)).toEqual(["k1"]);
  });

  it("reuses a built seed; another key builds another and drops the stale seed and build", async () => {
    const cacheDir = tempDir("seed-cache");
    const calls: string[] = [];
    await seededStore({ cacheDir, key: "k1", build: fakeBuild(calls, 0) });
    await seededStore({ cacheDir, key: "k1", build: fakeBuild(calls, 0) });
    expect(calls).toHaveLength(1);
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    mkdirSync(join(cacheDir, ".build-left-by-a-killed-run"));
    utimesSync(join(cacheDir, ".build-left-by-a-killed-run"), twoHoursAgo, twoHoursAgo);
    mkdirSync(join(cacheDir, ".build-of-a-live-builder"));
    await seededStore({ cacheDir, key: "k2", build: fakeBuild(calls, 0) });
    expect(calls).toHaveLength(2);
    expect(readdirSync(cacheDir)).toEqual([".build-of-a-live-builder", "k2"]);
  });

  it("two builders that met (both took over a dead builder's lock): the first seed stands", async () => {
    const cacheDir = tempDir("seed-cache");
    const meets: SeedBuilder = async (dir) => {
      mkdirSync(join(cacheDir, "k1"));
      writeFileSync(join(cacheDir, "k1", "store"), "built by the other builder");
      mkdirSync(dir);
      writeFileSync(join(dir, "store"), "built by this one");
    };
    expect(await seededStore({ cacheDir, key: "k1", build: meets })).toBe(join(cacheDir, "k1"));
    expect(readFileSync(join(cacheDir, "k1", "store"), "utf8")).toBe("built by the other builder");
    expect(readdirSync(cacheDir)).toEqual(["k1"]);
  });

  it("a failed build publishes nothing, frees the lock, and the next call builds", async () => {
    const cacheDir = tempDir("seed-cache");
    const failing: SeedBuilder = async (dir) => {
      mkdirSync(dir);
      writeFileSync(join(dir, "half"), "");
      throw new Error("CRD planted: 422");
    };
    await expect(seededStore({ cacheDir, key: "k1", build: failing })).rejects.toThrow(
      "CRD planted: 422",
    );
    expect(readdirSync(cacheDir)).toEqual([]);
    const calls: string[] = [];
    await seededStore({ cacheDir, key: "k1", build: fakeBuild(calls, 0) });
    expect(calls).toHaveLength(1);
  });

  it("takes over the lock of a builder that died, and waits for a live one", async () => {
    const cacheDir = tempDir("seed-cache");
    const dead = spawnSync(process.execPath, ["-e", ""]).pid as number;
    mkdirSync(join(cacheDir, "k1.lock"));
    writeFileSync(join(cacheDir, "k1.lock", "pid"), `${dead}\n`);
    const calls: string[] = [];
    await seededStore({ cacheDir, key: "k1", build: fakeBuild(calls, 0), timeoutMs: 5_000 });
    expect(calls).toHaveLength(1);

    mkdirSync(join(cacheDir, "k2.lock"));
    writeFileSync(join(cacheDir, "k2.lock", "pid"), `${process.pid}\n`);
    await expect(
      seededStore({ cacheDir, key: "k2", build: fakeBuild(calls, 0), timeoutMs: 1_000 }),
    ).rejects.toThrow("another build holds");
    expect(calls).toHaveLength(1);
  });
});
