import { fromEngineConfig, parseStackConfig } from "../../components/config/parse";
import type { StackConfig } from "../../components/config/schema";
import { PROJECT } from "../../lib/conventions";
import { memoized } from "../support/memo";
import { stackFile, withConfig } from "../support/program";

/**
 * A stack's config with sections overridden: objects merge into the stack file's section,
 * anything else (arrays, values) replaces. Throws on problems, or returns them.
 */
export function configOf(stack: string, overrides: Record<string, unknown> = {}): StackConfig {
  const result = parseWith(stack, overrides);
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.config;
}

export function problemsOf(stack: string, overrides: Record<string, unknown>): string[] {
  const result = parseWith(stack, overrides);
  if (result.ok) throw new Error("expected the config to be rejected");
  return result.problems;
}

type Tree = Record<string, unknown>;
const isTree = (v: unknown): v is Tree => typeof v === "object" && v !== null && !Array.isArray(v);
function merged(base: unknown, override: unknown): unknown {
  if (!isTree(base) || !isTree(override)) return override;
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = merged(base[key], value);
  return out;
}

function parseWith(stack: string, overrides: Record<string, unknown>) {
  return memoized(JSON.stringify(["parseWith", stack, overrides]), () => parse(stack, overrides));
}

function parse(stack: string, overrides: Record<string, unknown>) {
  const base = stackFile(stack);
  const section = (key: string): unknown => {
    const text = base.config[`${PROJECT}:${key}`];
    return text === undefined ? undefined : JSON.parse(text);
  };
  const combined = Object.fromEntries(
    Object.entries(overrides).map(([key, value]) => [key, merged(section(key), value)]),
  );
  const file = withConfig(base, combined);
  const { raw, secrets } = fromEngineConfig(file.config, file.secretKeys);
  return parseStackConfig(raw, secrets);
}
