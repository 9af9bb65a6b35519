import { fromEngineConfig, parseStackConfig } from "../../components/config/parse";
import type { StackConfig } from "../../components/config/schema";
import { stackFile, withConfig } from "../support/program";

/** A stack's config with whole sections replaced; throws on problems, or returns them. */
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

function parseWith(stack: string, overrides: Record<string, unknown>) {
  const file = withConfig(stackFile(stack), overrides);
  const { raw, secrets } = fromEngineConfig(file.config, file.secretKeys);
  return parseStackConfig(raw, secrets);
}
