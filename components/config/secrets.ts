import { AlertName } from "../../lib/alert-names";
import type { StackConfig } from "./schema";

/**
 * Secrets are top-level config keys set with `pulumi config set --secret KEY VALUE`. Pure code
 * only ever learns whether a secret is present and whether it is stored encrypted.
 */
export const SECRET_KEYS = [
  "pagerdutyRoutingKey",
  "pagerdutyInfraLeadRoutingKey",
  "slackWebhookUrl",
  "smtpPassword",
  "automationToken",
  "grafanaAuth",
  "opensearchAdminPassword",
  "heartbeatUrl",
  "deployWebhookToken",
  "pagerdutyWebhookSecret",
  "opensearchGrafanaPassword",
  "opensearchOidcClientSecret",
  "pagerdutyToken",
] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

export const SECRET_PURPOSE: Record<SecretKey, string> = {
  pagerdutyRoutingKey:
    "PagerDuty Events v2 routing key of the on-call service, only without `escalation` (the local stack)",
  pagerdutyInfraLeadRoutingKey:
    "PagerDuty Events v2 routing key of the infra lead, only without `escalation` (the local stack)",
  slackWebhookUrl: "Slack incoming-webhook URL for #deia-ops",
  smtpPassword: "SMTP password of alerting.email.authUsername",
  automationToken: "bearer token Alertmanager presents to the automation service",
  grafanaAuth: "Grafana service-account token (or user:password) for the Grafana provider",
  opensearchAdminPassword: "OpenSearch admin password for the logging cluster",
  heartbeatUrl: `ping URL of the external dead-man's switch the ${AlertName.Watchdog} keeps quiet`,
  deployWebhookToken:
    "bearer token CI presents to the automation service's deploy annotation webhook",
  pagerdutyWebhookSecret:
    "signing secret of the PagerDuty v3 webhook subscription that posts incidents as annotations",
  opensearchGrafanaPassword:
    "password of dashboards.datasources.opensearch.basicAuthUser, the OpenSearch user Grafana reads logs as",
  opensearchOidcClientSecret:
    "client secret of logging.opensearch.sso.clientId, with which OpenSearch Dashboards signs people in",
  pagerdutyToken:
    "PagerDuty REST API token (read-write) with which the program provisions `escalation`",
};

export interface SecretPresence {
  /** Secret keys set in the stack, encrypted or not. */
  readonly present: ReadonlySet<string>;
  /** Keys stored as `secure:` values. */
  readonly encrypted: ReadonlySet<string>;
}

/** The parts of the config that decide which secrets are needed; read from raw config too. */
export interface SecretNeeds {
  readonly environment: string | undefined;
  readonly smtpAuth: boolean;
  readonly opensearchDatasourceAuth: boolean;
  readonly opensearchSso: boolean;
  /** PagerDuty is provisioned from `escalation`; its integrations give the routing keys. */
  readonly escalation: boolean;
}

export function secretNeeds(config: StackConfig): SecretNeeds {
  return {
    environment: config.deployment.environment,
    smtpAuth: Boolean(config.alerting.email.authUsername),
    opensearchDatasourceAuth: Boolean(config.dashboards.datasources.opensearch.basicAuthUser),
    opensearchSso: Boolean(config.logging.opensearch.sso),
    escalation: Boolean(config.escalation),
  };
}

export function requiredSecrets(needs: SecretNeeds): SecretKey[] {
  const required: SecretKey[] = ["slackWebhookUrl", "automationToken", "heartbeatUrl"];
  if (needs.escalation) required.push("pagerdutyToken");
  else required.push("pagerdutyRoutingKey", "pagerdutyInfraLeadRoutingKey");
  if (needs.smtpAuth) required.push("smtpPassword");
  if (needs.opensearchDatasourceAuth) required.push("opensearchGrafanaPassword");
  if (needs.opensearchSso) required.push("opensearchOidcClientSecret");
  if (needs.environment !== "local")
    required.push(
      "grafanaAuth",
      "deployWebhookToken",
      "pagerdutyWebhookSecret",
      "opensearchAdminPassword",
    );
  return required;
}

export function secretProblems(needs: SecretNeeds, secrets: SecretPresence): string[] {
  const problems = requiredSecrets(needs)
    .filter((key) => !secrets.present.has(key))
    .map(
      (key) =>
        `${key}: missing secret (${SECRET_PURPOSE[key]}); set it with \`pulumi config set --secret ${key} …\``,
    );
  if (needs.environment !== "local") {
    for (const key of SECRET_KEYS) {
      if (secrets.present.has(key) && !secrets.encrypted.has(key)) {
        problems.push(
          `${key}: stored in plain text; set it with \`pulumi config set --secret ${key} …\``,
        );
      }
    }
  }
  return problems;
}
