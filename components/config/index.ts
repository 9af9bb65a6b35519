import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "../../lib/conventions";
import { ConfigProblems, fromEngineConfig, parseStackConfig } from "./parse";
import type { StackConfig } from "./schema";
import { SECRET_KEYS, type SecretKey } from "./secrets";

export { ConfigProblems, formatPath, fromEngineConfig, parseStackConfig } from "./parse";
export type { StackConfig } from "./schema";
export { SECRET_KEYS, type SecretKey } from "./secrets";
export type { ThresholdName, Thresholds } from "./thresholds";

/** Secrets stay Pulumi secrets; absent optional ones are undefined. */
export type StackSecrets = { readonly [K in SecretKey]: pulumi.Output<string> | undefined };

export interface LoadedConfig {
  readonly config: StackConfig;
  readonly secrets: StackSecrets;
}

// Exported by the SDK but marked internal; it is how Config.get tells secret keys apart.
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as {
  isConfigSecret: (key: string) => boolean;
};

/**
 * The only place that reads Pulumi config. Throws a RunError (printed without a stack trace)
 * listing every problem before any resource is declared.
 */
export function loadConfig(): LoadedConfig {
  const secretKeys = SECRET_KEYS.map((key) => `${PROJECT}:${key}`).filter(isConfigSecret);
  const { raw, secrets } = fromEngineConfig(pulumi.runtime.allConfig(), secretKeys);
  const result = parseStackConfig(raw, secrets);
  if (!result.ok)
    throw new pulumi.RunError(new ConfigProblems(pulumi.getStack(), result.problems).message);
  const cfg = new pulumi.Config(PROJECT);
  const values = Object.fromEntries(SECRET_KEYS.map((key) => [key, cfg.getSecret(key)]));
  return { config: result.config, secrets: values as StackSecrets };
}
