import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { PROJECT } from "../../lib/conventions";
import type { StackConfig } from "../config/schema";
import { RECEIVER_SECRET_KEYS, ReceiverSecretFile, type ReceiverSecretKey } from "./paths";
import { renderAlertmanagerFile } from "./render";
import { renderAlertmanagerTemplates } from "./templates";

/** What `npm run local` needs to run the real Alertmanager on the rendered config. */

export type ReceiverSecretValues = Partial<Record<ReceiverSecretKey, string>>;

/**
 * The SNS integration signs with SigV4 even against a sink; these throwaway credentials go in
 * the local Alertmanager's environment (prod uses the pod's IAM role, never static keys).
 */
export const LOCAL_SNS_ENV = {
  AWS_ACCESS_KEY_ID: "local-sink",
  AWS_SECRET_ACCESS_KEY: "local-sink",
} as const;

/** The receiver credentials this config reads from files. */
export function neededReceiverSecrets(config: StackConfig): ReceiverSecretKey[] {
  return RECEIVER_SECRET_KEYS.filter(
    (key) => key !== "smtpPassword" || Boolean(config.alerting.email.authUsername),
  );
}

/** Plain values of a stack file's config ("port8000-monitoring:key" → value), local stack only. */
export function receiverSecretsFromStackConfig(
  engineConfig: Record<string, string>,
): ReceiverSecretValues {
  const entries = RECEIVER_SECRET_KEYS.map((key) => [key, engineConfig[`${PROJECT}:${key}`]]);
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined));
}

/** Writes one file per credential (mode 0600), named as the prod Secret's keys. */
export function writeReceiverSecretFiles(
  secretsDir: string,
  values: ReceiverSecretValues,
  needed: readonly ReceiverSecretKey[] = RECEIVER_SECRET_KEYS,
): string[] {
  const missing = needed.filter((key) => !values[key]);
  if (missing.length > 0) throw new Error(`missing receiver secrets: ${missing.join(", ")}`);
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  return RECEIVER_SECRET_KEYS.filter((key) => values[key] !== undefined).map((key) => {
    const path = join(secretsDir, ReceiverSecretFile[key]);
    writeFileSync(path, values[key] as string, { mode: 0o600 });
    chmodSync(path, 0o600);
    return path;
  });
}

export interface LocalAlertmanagerOptions {
  readonly secretsDir: string;
  readonly timeScale: number;
  readonly heartbeatUrlInline?: string;
}

/**
 * Files relative to the Alertmanager directory `dir`: alertmanager.yml, which reads the
 * templates from `<dir>/templates` and the credentials from `secretsDir`.
 */
export function renderLocalAlertmanagerFiles(
  config: StackConfig,
  dir: string,
  options: LocalAlertmanagerOptions,
): Record<string, string> {
  const templatesDir = resolve(dir, "templates");
  const files: Record<string, string> = {
    "alertmanager.yml": renderAlertmanagerFile(config, { ...options, templatesDir }),
  };
  for (const [name, content] of Object.entries(renderAlertmanagerTemplates())) {
    files[`templates/${name}`] = content;
  }
  return files;
}

/**
 * Writes alertmanager.yml, the templates and the secret files (`<dir>/secrets`) under `dir`;
 * returns the config path to pass as --config.file.
 */
export function writeLocalAlertmanager(
  config: StackConfig,
  dir: string,
  options: {
    readonly timeScale: number;
    readonly secrets: ReceiverSecretValues;
    /** False for an Alertmanager older than 0.26: the (fake) heartbeat URL is inlined. */
    readonly urlFile?: boolean;
  },
): string {
  const secretsDir = resolve(dir, "secrets");
  writeReceiverSecretFiles(secretsDir, options.secrets, neededReceiverSecrets(config));
  const heartbeatUrlInline = options.urlFile === false ? options.secrets.heartbeatUrl : undefined;
  const files = renderLocalAlertmanagerFiles(config, dir, {
    timeScale: options.timeScale,
    secretsDir,
    heartbeatUrlInline,
  });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return resolve(dir, "alertmanager.yml");
}
