import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { VENDOR_DIR } from "../../lib/vendored";

/** Checks Helm values against a chart's pinned default values.yaml (vendor/). */

export const SCHEMAS_DIR = VENDOR_DIR;

export function loadChartDefaults(folder: string): Record<string, unknown> {
  return yaml.load(readFileSync(join(SCHEMAS_DIR, folder, "values.yaml"), "utf8")) as Record<
    string,
    unknown
  >;
}

function kind(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function isOpenMap(value: unknown): boolean {
  return (
    (kind(value) === "object" && Object.keys(value as object).length === 0) ||
    kind(value) === "array"
  );
}

/**
 * Lists every path in `values` the chart does not know. Below a default of `{}` or `[]` the chart
 * takes free-form content (labels, storage specs, relabelings), so nothing there is checked. A
 * scalar must keep the default's type unless the default is null. `freeForm` names paths whose
 * content the chart passes through verbatim to a program that judges it (e.g. Alertmanager's
 * config, which amtool checks): only their own keys are left unchecked.
 */
export function unknownValuePaths(
  values: unknown,
  defaults: unknown,
  path = "",
  freeForm: readonly string[] = [],
): string[] {
  if (isOpenMap(defaults) || kind(defaults) === "null" || freeForm.includes(path)) return [];
  if (kind(values) !== "object") {
    if (kind(defaults) === "object") return [`${path}: the chart expects a map here`];
    return kind(values) === kind(defaults)
      ? []
      : [`${path}: ${kind(values)} where the chart has ${kind(defaults)}`];
  }
  if (kind(defaults) !== "object") return [`${path}: the chart has a ${kind(defaults)} here`];
  const known = defaults as Record<string, unknown>;
  return Object.entries(values as Record<string, unknown>).flatMap(([key, value]) => {
    const child = path ? `${path}.${key}` : key;
    if (!(key in known)) return [`${child}: not a value of this chart`];
    return unknownValuePaths(value, known[key], child, freeForm);
  });
}
