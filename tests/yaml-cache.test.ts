import { readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadAllYamlFile } from "../lib/yaml-cache";
import { tempDir } from "./support/temp";

function yamlFile(text: string): { path: string; cache: string } {
  const path = join(tempDir("yaml-src"), "docs.yaml");
  writeFileSync(path, text);
  return { path, cache: tempDir("yaml-cache") };
}

const kept = (cache: string) => readdirSync(cache).map((f) => join(cache, f));

describe("loadAllYamlFile", () => {
  it("gives every document of the file", () => {
    const { path, cache } = yamlFile("a: 1\n---\nb: [x, y]\n---\n");
    expect(loadAllYamlFile(path, cache)).toEqual([{ a: 1 }, { b: ["x", "y"] }, null]);
  });

  it("reads an unchanged file back from what it kept, without parsing it again", () => {
    const { path, cache } = yamlFile("a: 1\n");
    loadAllYamlFile(path, cache);
    const [entry] = kept(cache);
    writeFileSync(entry, JSON.stringify([{ a: "kept" }]));
    expect(loadAllYamlFile(path, cache)).toEqual([{ a: "kept" }]);
  });

  it("parses a changed file again", () => {
    const { path, cache } = yamlFile("a: 1\n");
    loadAllYamlFile(path, cache);
    writeFileSync(path, "a: 2\n");
    expect(loadAllYamlFile(path, cache)).toEqual([{ a: 2 }]);
  });

  it("keeps nothing JSON would change: a timestamp stays a Date", () => {
    const { path, cache } = yamlFile("at: 2026-12-07\n");
    loadAllYamlFile(path, cache);
    expect(kept(cache)).toEqual([]);
    expect((loadAllYamlFile(path, cache)[0] as { at: unknown }).at).toBeInstanceOf(Date);
  });

  it("parses again when what it kept is unreadable", () => {
    const { path, cache } = yamlFile("a: 1\n");
    loadAllYamlFile(path, cache);
    writeFileSync(kept(cache)[0], "[{ half");
    expect(loadAllYamlFile(path, cache)).toEqual([{ a: 1 }]);
    expect(JSON.parse(readFileSync(kept(cache)[0], "utf8"))).toEqual([{ a: 1 }]);
  });

  it("drops what went unread for 30 days when it keeps something new, and keeps what was read", () => {
    const { path, cache } = yamlFile("a: 1\n");
    const old = join(cache, "left-by-a-vendored-file-since-changed.json");
    writeFileSync(old, "[]");
    const monthsAgo = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000);
    utimesSync(old, monthsAgo, monthsAgo);
    loadAllYamlFile(path, cache);
    const [entry] = kept(cache);
    utimesSync(entry, monthsAgo, monthsAgo);
    loadAllYamlFile(path, cache);
    writeFileSync(path, "b: 2\n");
    loadAllYamlFile(path, cache);
    expect(kept(cache)).toHaveLength(2);
    expect(kept(cache)).toContain(entry);
  });
});
