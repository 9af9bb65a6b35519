import { readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { BUNDLE_CACHE_ENV, nodeBundle } from "../lib/node-bundle";
import { tempDir } from "./support/temp";

/** A two-file program whose entry exports its sibling's value, and an empty cache. */
function project({ settled = true } = {}) {
  const dir = tempDir("bundle-src");
  writeFileSync(join(dir, "entry.ts"), 'export { answer } from "./answer";\n');
  writeFileSync(join(dir, "answer.ts"), "export const answer: number = 41;\n");
  if (settled) {
    const minuteAgo = new Date(Date.now() - 60_000);
    for (const file of ["entry.ts", "answer.ts"]) utimesSync(join(dir, file), minuteAgo, minuteAgo);
  }
  return { entry: { entryPoints: [join(dir, "entry.ts")] }, dir, cache: tempDir("bundle-cache") };
}

function answerOf(bundle: Uint8Array): unknown {
  const module = { exports: {} as Record<string, unknown> };
  runInNewContext(Buffer.from(bundle).toString("utf8"), { module, exports: module.exports });
  return module.exports.answer;
}

const entryFile = (cache: string) => join(cache, readdirSync(cache)[0]);

describe("nodeBundle", () => {
  it("bundles an entry with what it imports into one CommonJS file", () => {
    const { entry, cache } = project();
    expect(answerOf(nodeBundle(entry, cache))).toBe(41);
  });

  it("serves an unchanged bundle from its cache without building again", () => {
    const { entry, cache } = project();
    nodeBundle(entry, cache);
    // A stored bundle that differs from what a build gives shows where the answer came from.
    const stored = JSON.parse(readFileSync(entryFile(cache), "utf8"));
    const marked = 'module.exports = { answer: "from the cache" };';
    stored.bundle = Buffer.from(marked).toString("base64");
    writeFileSync(entryFile(cache), JSON.stringify(stored));
    expect(answerOf(nodeBundle(entry, cache))).toBe("from the cache");
  });

  it("builds again when any imported file changed", () => {
    const { entry, dir, cache } = project();
    nodeBundle(entry, cache);
    writeFileSync(join(dir, "answer.ts"), "export const answer: number = 42;\n");
    expect(answerOf(nodeBundle(entry, cache))).toBe(42);
  });

  it("builds when the cache entry is unreadable, and replaces it", () => {
    const { entry, cache } = project();
    nodeBundle(entry, cache);
    writeFileSync(entryFile(cache), "{ half an entr");
    expect(answerOf(nodeBundle(entry, cache))).toBe(41);
    expect(() => JSON.parse(readFileSync(entryFile(cache), "utf8"))).not.toThrow();
  });

  it("keeps nothing built from a file written as the build began: it may have been changing", () => {
    const { entry, cache } = project({ settled: false });
    expect(answerOf(nodeBundle(entry, cache))).toBe(41);
    expect(readdirSync(cache)).toEqual([]);
  });

  it("reuses bundles only in the directory a test run names, never outside one", () => {
    const { entry, cache } = project();
    const before = process.env[BUNDLE_CACHE_ENV];
    try {
      process.env[BUNDLE_CACHE_ENV] = cache;
      nodeBundle(entry);
      expect(readdirSync(cache)).toHaveLength(1);
      const stored = JSON.parse(readFileSync(entryFile(cache), "utf8"));
      stored.bundle = Buffer.from('module.exports = { answer: "stale" };').toString("base64");
      writeFileSync(entryFile(cache), JSON.stringify(stored));
      delete process.env[BUNDLE_CACHE_ENV];
      expect(answerOf(nodeBundle(entry))).toBe(41);
    } finally {
      if (before === undefined) delete process.env[BUNDLE_CACHE_ENV];
      else process.env[BUNDLE_CACHE_ENV] = before;
    }
  });
});
