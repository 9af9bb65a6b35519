import type { SecretKey } from "../config/secrets";

/**
 * Where Alertmanager finds its secrets and templates. In prod the Prometheus Operator mounts
 * every Secret listed in `alertmanagerSpec.secrets` at /etc/alertmanager/secrets/<name>/<key>
 * and the chart's `templateFiles` at /etc/alertmanager/config/; the local stack writes the
 * same keys into a directory of its own.
 */

/** Kubernetes Secret (monitoring namespace) holding every receiver credential. */
export const RECEIVER_SECRET_NAME = "alertmanager-port8000-receivers";

/** Secret key (= file name) of each receiver credential. */
export const ReceiverSecretFile = {
  pagerdutyRoutingKey: "pagerduty-routing-key",
  pagerdutyInfraLeadRoutingKey: "pagerduty-infra-lead-routing-key",
  slackWebhookUrl: "slack-webhook-url",
  smtpPassword: "smtp-password",
  automationToken: "automation-token",
  heartbeatUrl: "heartbeat-url",
} as const satisfies Partial<Record<SecretKey, string>>;
export type ReceiverSecretKey = keyof typeof ReceiverSecretFile;
export const RECEIVER_SECRET_KEYS = Object.keys(ReceiverSecretFile) as ReceiverSecretKey[];

export const PROD_SECRETS_DIR = `/etc/alertmanager/secrets/${RECEIVER_SECRET_NAME}`;
export const PROD_TEMPLATES_DIR = "/etc/alertmanager/config";

/** Synth artifacts: the config as prod runs it, templates beside it for review. */
export const TEMPLATES_ARTIFACT_DIR = "alertmanager/templates";

export interface AlertmanagerPaths {
  readonly secretsDir: string;
  readonly templatesDir: string;
}

export const PROD_PATHS: AlertmanagerPaths = {
  secretsDir: PROD_SECRETS_DIR,
  templatesDir: PROD_TEMPLATES_DIR,
};

export function secretFilePath(secretsDir: string, key: ReceiverSecretKey): string {
  return `${secretsDir.replace(/\/$/, "")}/${ReceiverSecretFile[key]}`;
}
