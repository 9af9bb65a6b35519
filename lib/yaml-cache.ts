import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import yaml from "js-yaml";
import { readEntry, writeEntry } from "./file-cache";

/** Where parsed documents are kept between runs, beside the type-checker's build info. */
export const YAML_CACHE_DIR = join(__dirname, "..", "node_modules", ".cache", "port8000-yaml");

const JS_YAML_VERSION: string = require("js-yaml/package.json").version;

/**
 * Every YAML document of a file, as js-yaml's loadAll gives them, kept as JSON under the hash of
 * the file's bytes: the vendored CRDs are 5 MB of YAML that take half a second to parse and a
 * thirtieth of that to read back. Documents JSON cannot carry (dates, say) are not kept.
 */
export function loadAllYamlFile(path: string, cacheDir = YAML_CACHE_DIR): unknown[] {
  const text = readFileSync(path);
  const hash = createHash("sha256").update(JS_YAML_VERSION).update(text).digest("hex");
  const file = join(cacheDir, `${hash}.json`);
  const kept = readEntry(file);
  if (kept !== undefined) {
    try {
      return JSON.parse(kept) as unknown[];
    } catch {
      // Unreadable: parsed again and replaced below.
    }
  }
  const docs = yaml.loadAll(text.toString("utf8"));
  const json = JSON.stringify(docs);
  if (isDeepStrictEqual(JSON.parse(json), docs)) writeEntry(file, json, MAX_AGE_MS);
  return docs;
}

/** Entries of files that changed since are never read again: those unread for 30 days go. */
const MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
