import { fromEngineConfig, parseStackConfig } from "../components/config/parse";
import type { StackConfig } from "../components/config/schema";
import { readStackFile } from "../scripts/stack-file";
import { Unreachable } from "./http";

/** A stack file's typed config, for the access review; bad config is bad usage (exit 2). */
export function readStackConfig(path: string): StackConfig {
  let parsed: ReturnType<typeof parseStackConfig>;
  try {
    const file = readStackFile(path);
    const { raw, secrets } = fromEngineConfig(file.config, file.secretKeys);
    parsed = parseStackConfig(raw, secrets);
  } catch (err) {
    throw new Unreachable(`cannot read the stack file ${path} (${(err as Error).message})`);
  }
  if (!parsed.ok) throw new Unreachable(`${path}: ${parsed.problems.join("; ")}`);
  return parsed.config;
}
