import { readFileSync } from "node:fs";
import { join } from "node:path";
import { toRegExp } from "oniguruma-to-es";
import { VENDOR_DIR } from "./vendored";

/**
 * Grok as Logstash runs it (tests and the synth validator): patterns are read from the rendered pipeline text (with
 * config.support_escapes unescaping), %{NAME[:field[:type]]} is expanded from the vendored
 * legacy pattern files plus the pipeline's pattern_definitions, and the Oniguruma result is
 * compiled to a JavaScript RegExp with oniguruma-to-es.
 */

const PATTERN_FILES = ["grok-patterns", "httpd"];

export function vendoredPatterns(): Record<string, string> {
  const patterns: Record<string, string> = {};
  for (const file of PATTERN_FILES) {
    const text = readFileSync(join(VENDOR_DIR, "logstash-patterns", "legacy", file), "utf8");
    for (const line of text.split("\n")) {
      const m = /^([A-Za-z0-9_]+)\s+(.*)$/.exec(line);
      if (m && !line.startsWith("#")) patterns[m[1]] = m[2];
    }
  }
  return patterns;
}

/** Logstash's double-quoted strings with config.support_escapes: \\ → \, \" → ". */
function unescapeLogstash(text: string): string {
  return text.replace(/\\(["\\nrt])/g, (_, c: string) =>
    c === "n" ? "\n" : c === "r" ? "\r" : c === "t" ? "\t" : c,
  );
}

const STRING = '"((?:\\\\.|[^"\\\\])*)"';

/** The grok filters of a rendered pipeline: kind → match pattern and pattern_definitions. */
export function pipelineGroks(
  conf: string,
): Record<string, { pattern: string; defs: Record<string, string> }> {
  const groks: Record<string, { pattern: string; defs: Record<string, string> }> = {};
  const blocks = conf.split(/if \[log_kind\] == /).slice(1);
  for (const block of blocks) {
    const kind = new RegExp(`^${STRING}`).exec(block)?.[1];
    const grok = block.split(/\n\s*}\n\s*}\n/)[0];
    const match = new RegExp(`"message" => ${STRING}`).exec(grok);
    if (!kind || !match || !grok.includes("grok {")) continue;
    const defs: Record<string, string> = {};
    for (const m of grok.matchAll(new RegExp(`${STRING} => ${STRING}`, "g"))) {
      if (m[1] !== "message") defs[unescapeLogstash(m[1])] = unescapeLogstash(m[2]);
    }
    groks[kind] = { pattern: unescapeLogstash(match[1]), defs };
  }
  return groks;
}

export interface Capture {
  readonly field: string;
  readonly type?: "int" | "float";
}

export interface CompiledGrok {
  readonly regexp: RegExp;
  readonly captures: Record<string, Capture>;
  parse(line: string): Record<string, string | number> | undefined;
}

/** `[client][ip]` → client.ip, as the index template names it. */
const dotted = (field: string) =>
  field
    .replace(/^\[|\]$/g, "")
    .split("][")
    .join(".");

export function compileGrok(pattern: string, defs: Record<string, string>): CompiledGrok {
  const library = { ...vendoredPatterns(), ...defs };
  const captures: Record<string, Capture> = {};
  const expand = (text: string, depth: number): string => {
    if (depth > 30) throw new Error(`grok pattern recursion too deep in ${text}`);
    return text.replace(/%\{(\w+)(?::([^:}]+))?(?::(int|float))?\}/g, (_, name, field, type) => {
      const body = library[name];
      if (body === undefined) throw new Error(`grok pattern %{${name}} is not defined`);
      const inner = expand(body, depth + 1);
      if (!field) return `(?:${inner})`;
      const group = `g${Object.keys(captures).length}`;
      captures[group] = { field: dotted(field), type };
      return `(?<${group}>${inner})`;
    });
  };
  const regexp = toRegExp(expand(pattern, 0));
  return {
    regexp,
    captures,
    parse(line) {
      const m = regexp.exec(line);
      if (!m?.groups) return undefined;
      const fields: Record<string, string | number> = {};
      for (const [group, { field, type }] of Object.entries(captures)) {
        const value = m.groups[group];
        if (value === undefined) continue;
        fields[field] =
          type === "int" ? Number.parseInt(value, 10) : type === "float" ? Number(value) : value;
      }
      return fields;
    },
  };
}

/** Every grok of a rendered pipeline, compiled, by log kind. */
export function compiledPipeline(conf: string): Record<string, CompiledGrok> {
  return Object.fromEntries(
    Object.entries(pipelineGroks(conf)).map(([kind, { pattern, defs }]) => [
      kind,
      compileGrok(pattern, defs),
    ]),
  );
}
