import type { RecordedResource } from "./mock-runtime";
import type { SynthResult } from "./synth-lib";

/** A short, preview-like reading of what synth found, for reviewers. */

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

function componentOf(resource: RecordedResource, byName: Map<string, RecordedResource>): string {
  let current: RecordedResource | undefined = resource;
  let top = resource.custom ? "(stack)" : resource.name;
  while (current?.parent) {
    const parent = byName.get(current.parent);
    if (!parent) break;
    top = `${parent.type} ${parent.name}`;
    current = parent;
  }
  return top;
}

export function summarize(stack: string, out: string, result: SynthResult): string {
  const lines = [
    `Stack ${stack}: ${result.resources.length} resources, ${Object.keys(result.artifacts).length} files in ${out}/`,
  ];
  const byName = new Map(result.resources.map((r) => [r.name, r]));
  const components = countBy(
    result.resources.filter((r) => r.custom),
    (r) => componentOf(r, byName),
  );
  lines.push("", "Resources by component:");
  for (const [component, count] of components) lines.push(`  ${component.padEnd(72)} ${count}`);
  lines.push("", "Resources by type:");
  for (const [type, count] of countBy(result.resources, (r) => r.type))
    lines.push(`  ${type.padEnd(72)} ${count}`);
  const protectedOnes = result.resources.filter((r) => r.protect).map((r) => r.name);
  if (protectedOnes.length > 0) lines.push("", `Protected: ${protectedOnes.join(", ")}`);
  lines.push("", "Validators:");
  if (result.validations.length === 0) lines.push("  (none apply yet)");
  for (const v of result.validations) {
    lines.push(`  ${v.ok ? "ok  " : "FAIL"} ${v.validator.padEnd(24)} ${v.file}`);
    if (!v.ok) lines.push(...v.output.split("\n").map((l) => `       ${l}`));
  }
  return `${lines.join("\n")}\n`;
}
