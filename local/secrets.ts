import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  RECEIVER_SECRET_KEYS,
  type ReceiverSecretKey,
  secretFilePath,
} from "../components/alertmanager/paths";
import type { LocalStackConfig } from "./stack-config";

/** The fake receiver credentials, one file each, where Alertmanager's `*_file` keys point. */

export function localSecretsDir(stateDir: string): string {
  return join(stateDir, "secrets");
}

export function writeLocalSecrets(stateDir: string, local: LocalStackConfig): string {
  const dir = localSecretsDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const key of RECEIVER_SECRET_KEYS) {
    const file = secretFilePath(dir, key as ReceiverSecretKey);
    writeFileSync(file, local.secrets[key] ?? `local-fake-${key}`);
    chmodSync(file, 0o600);
  }
  return dir;
}
