import { readFileSync } from "node:fs";
import { join } from "node:path";
import { VENDOR_DIR } from "../../lib/vendored";

/**
 * The options each input and output plugin of the Logstash image declares, read from the
 * plugins' own sources at the versions Logstash 8.9.0 bundles (vendor/README.md), and a check
 * of a rendered pipeline against them: unknown options stop Logstash at start-up, deprecated
 * ones are on their way out.
 */

const DIR = join(VENDOR_DIR, "logstash-plugins");
type Kind = "input" | "output";
const PLUGINS: Record<string, { kind: Kind; files: string[] }> = {
  beats: { kind: "input", files: ["input-beats-6.6.3.rb"] },
  dead_letter_queue: { kind: "input", files: ["input-dead_letter_queue-2.0.0.rb"] },
  opensearch: {
    kind: "output",
    files: ["output-opensearch-2.0.2.rb", "output-opensearch-2.0.2-api_configs.rb"],
  },
  s3: { kind: "output", files: ["output-s3-7.1.4.rb", "output-s3-7.1.4-aws_config.rb"] },
};
const CORE: Record<Kind, string[]> = {
  input: ["core-8.9.0-plugin.rb", "core-8.9.0-input.rb"],
  output: ["core-8.9.0-plugin.rb", "core-8.9.0-output.rb"],
};

export type Status = "current" | "deprecated" | "obsolete";

const statusOf = (declaration: string): Status =>
  /:obsolete\s*=>/.test(declaration)
    ? "obsolete"
    : /:deprecated\s*=>/.test(declaration)
      ? "deprecated"
      : "current";

/** `config :name, …` lines, continued while a line ends with a comma. */
function configCalls(lines: string[], found: Map<string, Status>): void {
  lines.forEach((line, i) => {
    const match = /^\s*config\s+:(\w+)/.exec(line);
    if (!match) return;
    let text = line;
    for (let j = i; lines[j]?.trimEnd().endsWith(",") && j + 1 < lines.length; j++)
      text += lines[j + 1];
    found.set(match[1], statusOf(text));
  });
}

/** `CONFIG_PARAMS = { :name => { … }, … }` (logstash-output-opensearch's api_configs.rb). */
function configParams(lines: string[], found: Map<string, Status>): void {
  const start = lines.findIndex((l) => /CONFIG_PARAMS\s*=\s*\{/.test(l));
  if (start < 0) return;
  let depth = 0;
  let current: { name: string; text: string } | undefined;
  for (const line of lines.slice(start)) {
    const key = depth === 1 ? /^\s*:(\w+)\s*=>\s*\{/.exec(line) : null;
    if (key) current = { name: key[1], text: "" };
    if (current) current.text += line;
    depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
    if (current && depth === 1) {
      found.set(current.name, statusOf(current.text));
      current = undefined;
    }
    if (depth === 0) return;
  }
}

export function declaredOptions(plugin: string): Map<string, Status> {
  const spec = PLUGINS[plugin];
  if (!spec) throw new Error(`no vendored sources for the Logstash plugin "${plugin}"`);
  const found = new Map<string, Status>();
  for (const file of [...CORE[spec.kind], ...spec.files]) {
    const lines = readFileSync(join(DIR, file), "utf8")
      .split("\n")
      .filter((l) => !l.trim().startsWith("#"));
    configCalls(lines, found);
    configParams(lines, found);
  }
  return found;
}

/** Plugins of the input and output sections with their option names, by indentation. */
export function pluginBlocks(
  pipeline: string,
): { section: string; plugin: string; options: string[] }[] {
  const blocks: { section: string; plugin: string; options: string[] }[] = [];
  let section = "";
  for (const line of pipeline.split("\n")) {
    const open = /^(\s*)(\w+) \{$/.exec(line);
    if (open && open[1].length === 0) section = open[2];
    else if (open && open[1].length === 2 && section !== "filter")
      blocks.push({ section, plugin: open[2], options: [] });
    const option = /^ {4}(\w+) =>/.exec(line);
    if (option && section !== "filter") blocks[blocks.length - 1]?.options.push(option[1]);
  }
  return blocks;
}

export function pipelineProblems(pipeline: string): string[] {
  return pluginBlocks(pipeline).flatMap(({ section, plugin, options }) => {
    if (PLUGINS[plugin]?.kind !== section) return [`${section} ${plugin}: not a vendored plugin`];
    const declared = declaredOptions(plugin);
    return options.flatMap((option) => {
      const status = declared.get(option);
      if (status === "current") return [];
      return [`${section} ${plugin}: ${option} is ${status ?? "not an option"}`];
    });
  });
}
