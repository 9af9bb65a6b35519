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
export interface Declaration {
  readonly status: Status;
  /** The values `:validate` lists, when it lists them. */
  readonly allowed?: readonly string[];
}

/** A list item: a string literal, or a constant the same source assigns a string to. */
function listItem(item: string, source: string): string | undefined {
  const literal = /^["']([^"']*)["']$/.exec(item);
  if (literal) return literal[1];
  if (!/^[A-Z_][A-Z0-9_]*$/.test(item)) return undefined;
  const constant = new RegExp(`\\b${item}\\s*=\\s*["']([^"']*)["']`).exec(source);
  return constant?.[1];
}

function declarationOf(text: string, source: string): Declaration {
  const status: Status = /:obsolete\s*=>/.test(text)
    ? "obsolete"
    : /:deprecated\s*=>/.test(text)
      ? "deprecated"
      : "current";
  const list = /:validate\s*=>\s*(?:%w\[([^\]]*)\]|\[([^\]]*)\])/.exec(text);
  if (!list) return { status };
  if (list[1] !== undefined) return { status, allowed: list[1].trim().split(/\s+/) };
  const items = list[2].split(",").map((i) => listItem(i.trim(), source));
  // An item it cannot resolve: the values are not known here, so they are not checked.
  if (items.some((i) => i === undefined)) return { status };
  return { status, allowed: items as string[] };
}

/** `config :name, …` lines, continued while a line ends with a comma. */
function configCalls(lines: string[], found: Map<string, Declaration>): void {
  const source = lines.join("\n");
  lines.forEach((line, i) => {
    const match = /^\s*config\s+:(\w+)/.exec(line);
    if (!match) return;
    let text = line;
    for (let j = i; lines[j]?.trimEnd().endsWith(",") && j + 1 < lines.length; j++)
      text += lines[j + 1];
    found.set(match[1], declarationOf(text, source));
  });
}

/** `CONFIG_PARAMS = { :name => { … }, … }` (logstash-output-opensearch's api_configs.rb). */
function configParams(lines: string[], found: Map<string, Declaration>): void {
  const source = lines.join("\n");
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
      found.set(current.name, declarationOf(current.text, source));
      current = undefined;
    }
    if (depth === 0) return;
  }
}

export function declaredOptions(plugin: string): Map<string, Declaration> {
  const spec = PLUGINS[plugin];
  if (!spec) throw new Error(`no vendored sources for the Logstash plugin "${plugin}"`);
  const found = new Map<string, Declaration>();
  for (const file of [...CORE[spec.kind], ...spec.files]) {
    const lines = readFileSync(join(DIR, file), "utf8")
      .split("\n")
      .filter((l) => !l.trim().startsWith("#"));
    configCalls(lines, found);
    configParams(lines, found);
  }
  return found;
}

export interface PluginBlock {
  readonly section: string;
  readonly plugin: string;
  readonly options: { name: string; value: string }[];
}

type Frame =
  | { kind: "section" | "condition" | "hash"; name: string }
  | { kind: "plugin"; block: PluginBlock };

const SECTIONS = new Set(["input", "filter", "output"]);

/**
 * Reads a rendered pipeline (one statement per line) by its braces: sections, conditionals
 * (transparent), plugins, their options and hash values. A line it cannot place is a problem.
 */
export function parsePipeline(pipeline: string): { blocks: PluginBlock[]; problems: string[] } {
  const blocks: PluginBlock[] = [];
  const problems: string[] = [];
  const stack: Frame[] = [];
  const section = () => {
    const frame = stack[0];
    return frame && frame.kind === "section" ? frame.name : "";
  };
  pipeline.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    const top = stack[stack.length - 1];
    if (line === "" || line.startsWith("#")) return;
    if (line === "}") {
      if (!stack.pop()) problems.push(`line ${index + 1}: unbalanced }`);
      return;
    }
    if (/^\} else( if .+)? \{$/.test(line) && top?.kind === "condition") {
      stack.pop();
      stack.push({ kind: "condition", name: line });
      return;
    }
    if (top?.kind === "hash") return;
    const open = /^(\w+) \{$/.exec(line);
    if (open && !top && SECTIONS.has(open[1])) {
      stack.push({ kind: "section", name: open[1] });
      return;
    }
    if (/^if .+ \{$/.test(line) && (top?.kind === "section" || top?.kind === "condition")) {
      stack.push({ kind: "condition", name: line });
      return;
    }
    if (open && (top?.kind === "section" || top?.kind === "condition")) {
      const block = { section: section(), plugin: open[1], options: [] };
      blocks.push(block);
      stack.push({ kind: "plugin", block });
      return;
    }
    const option = /^(\w+) => (.+)$/.exec(line);
    if (option && top?.kind === "plugin") {
      top.block.options.push({ name: option[1], value: option[2] });
      if (option[2] === "{") stack.push({ kind: "hash", name: option[1] });
      return;
    }
    problems.push(`line ${index + 1}: cannot place "${line}"`);
  });
  if (stack.length > 0) problems.push(`unclosed ${stack.map((f) => f.kind).join(" > ")}`);
  return { blocks, problems };
}

const unquote = (value: string) => value.replace(/^"(.*)"$/, "$1");

function optionProblems(block: PluginBlock): string[] {
  const { section, plugin } = block;
  if (PLUGINS[plugin]?.kind !== section) return [`${section} ${plugin}: not a vendored plugin`];
  const declared = declaredOptions(plugin);
  return block.options.flatMap(({ name, value }) => {
    const declaration = declared.get(name);
    if (!declaration) return [`${section} ${plugin}: ${name} is not an option`];
    if (declaration.status !== "current")
      return [`${section} ${plugin}: ${name} is ${declaration.status}`];
    const { allowed } = declaration;
    if (allowed && !value.startsWith("[") && !allowed.includes(unquote(value)))
      return [`${section} ${plugin}: ${name} => ${value} is not one of ${allowed.join(", ")}`];
    return [];
  });
}

/** Problems of a pipeline's input and output plugins; filters run plugins Logstash ships. */
export function pipelineProblems(pipeline: string): string[] {
  const { blocks, problems } = parsePipeline(pipeline);
  return [...problems, ...blocks.filter((b) => b.section !== "filter").flatMap(optionProblems)];
}
