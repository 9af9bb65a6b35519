import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT_DIR } from "../lib/tools";

const DOC = join(ROOT_DIR, "docs", "benchmarks.md");

/** Replaces the `## <title>` section of docs/benchmarks.md (up to the next `## `), or appends it. */
export function writeSection(title: string, section: string): void {
  const heading = `\n## ${title}\n`;
  const doc = existsSync(DOC) ? readFileSync(DOC, "utf8") : "# Benchmarks\n";
  const at = doc.indexOf(heading);
  if (at < 0) {
    writeFileSync(DOC, `${doc.trimEnd()}\n\n${section}`);
    return;
  }
  const next = doc.indexOf("\n## ", at + heading.length);
  const rest = next < 0 ? "" : doc.slice(next);
  writeFileSync(DOC, `${doc.slice(0, at)}\n${section}${rest}`);
}
