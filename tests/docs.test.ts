import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_SECTIONS } from "../components/config/schema";
import { SECRET_KEYS } from "../components/config/secrets";
import { THRESHOLD_DEFAULTS, THRESHOLD_NAMES } from "../components/config/thresholds";
import { ROOT } from "./support/program";

const reference = readFileSync(join(ROOT, "docs", "configuration.md"), "utf8");

function thresholdRow(name: string): string[] {
  const row = reference.split("\n").find((line) => line.startsWith(`| \`${name}\` |`));
  if (!row) throw new Error(`docs/configuration.md has no row for threshold ${name}`);
  return row.split("|").map((cell) => cell.trim());
}

describe("docs/configuration.md", () => {
  it.each(CONFIG_SECTIONS)("documents the %s section", (section) => {
    expect(reference).toContain(`| \`${section}\` |`);
  });

  it.each(SECRET_KEYS)("documents the %s secret", (key) => {
    expect(reference).toContain(`| \`${key}\` |`);
  });

  it.each(THRESHOLD_NAMES)("documents threshold %s with its default values", (name) => {
    const [, , direction, , warning, critical, info] = thresholdRow(name);
    const defaults: Record<string, unknown> = THRESHOLD_DEFAULTS[name];
    expect(direction.startsWith(String(defaults.direction))).toBe(true);
    for (const [cell, level] of [
      [warning, "warning"],
      [critical, "critical"],
      [info, "info"],
    ] as const) {
      if (defaults[level] === undefined) expect(cell).toBe("—");
      else expect(cell.startsWith(String(defaults[level]))).toBe(true);
    }
  });
});
