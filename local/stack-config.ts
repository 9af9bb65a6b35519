import type { StackConfig } from "../components/config/schema";
import { SECRET_KEYS, type SecretKey } from "../components/config/secrets";
import { PROJECT } from "../lib/conventions";
import { readStackFile, type StackFileConfig } from "../scripts/stack-file";
import { parseStackFileConfig } from "../scripts/synth-lib";
import { movePorts } from "./ports";

/** Pulumi.local.yaml, with every loopback port moved to the chosen base, and its fake secrets. */

export interface LocalStackConfig {
  readonly config: StackConfig;
  /** The local stack keeps its fake secrets in plain text; they are written to files. */
  readonly secrets: Partial<Record<SecretKey, string>>;
}

export const LOCAL_STACK = "local";
export const LOCAL_STACK_FILE = "Pulumi.local.yaml";

function moved(file: StackFileConfig, portBase: number): StackFileConfig {
  return {
    config: Object.fromEntries(
      Object.entries(file.config).map(([key, value]) => [key, movePorts(value, portBase)]),
    ),
    secretKeys: file.secretKeys,
  };
}

function plainSecrets(file: StackFileConfig): Partial<Record<SecretKey, string>> {
  const secrets: Partial<Record<SecretKey, string>> = {};
  for (const key of SECRET_KEYS) {
    const full = `${PROJECT}:${key}`;
    if (file.secretKeys.includes(full)) {
      throw new Error(`${key}: the local stack needs plain fake values, not secure: ones`);
    }
    const value = file.config[full];
    if (value !== undefined) secrets[key] = value;
  }
  return secrets;
}

export function loadLocalStackConfig(stackFile: string, portBase: number): LocalStackConfig {
  const file = moved(readStackFile(stackFile), portBase);
  return { config: parseStackFileConfig(LOCAL_STACK, file), secrets: plainSecrets(file) };
}
