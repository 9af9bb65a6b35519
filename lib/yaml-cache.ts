import { createHash } from "node:crypto";
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
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import yaml from "js-yaml";

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
  try {
    const docs = JSON.parse(readFileSync(file, "utf8")) as unknown[];
    touch(file);
    return docs;
  } catch {
    const docs = yaml.loadAll(text.toString("utf8"));
    keep(file, docs);
    return docs;
  }
}

/** Marks an entry as read; a cache this user cannot write is still read. */
function touch(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // Read-only: it ages, and is only dropped by someone who can write it.
  }
}

function keep(file: string, docs: unknown[]): void {
  const json = JSON.stringify(docs);
  if (!isDeepStrictEqual(JSON.parse(json), docs)) return;
  try {
    mkdirSync(join(file, ".."), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, json);
    renameSync(temp, file);
    dropUnused(join(file, ".."));
  } catch {
    // A cache that cannot be written only costs the next run a parse.
  }
}

/** Entries of files that changed since are never read again: those unread for 30 days go. */
const MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

function dropUnused(cacheDir: string): void {
  const oldest = Date.now() - MAX_AGE_MS;
  for (const entry of readdirSync(cacheDir)) {
    const path = join(cacheDir, entry);
    try {
      if (statSync(path).mtimeMs < oldest) rmSync(path, { force: true });
    } catch {
      // Removed by a concurrent writer.
    }
  }
}
