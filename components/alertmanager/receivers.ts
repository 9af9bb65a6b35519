import { Receiver } from "../../lib/conventions";
import type { StackConfig } from "../config/schema";
import { type ReceiverSecretKey, secretFilePath } from "./paths";
import { TemplateName, use } from "./templates";

/**
 * One receiver per name of the routing contract. Credentials are never inlined: each is read
 * by Alertmanager from a `*_file` under `secretsDir`.
 */

export type ReceiverConfig = { name: string } & Record<string, unknown>;

/** In-cluster address of the automation service (components/automation). */
export const AUTOMATION_SERVICE_NAME = "port8000-automation";
export const AUTOMATION_ALERTS_PATH = "/alerts";
/** The automation service's "log only" sink: one JSON line per alert on its stdout. */
export const AUTOMATION_LOG_ONLY_PATH = "/log-only";

function inClusterAutomationUrl(config: StackConfig, path: string): string {
  const { port } = config.alerting.automation;
  return `http://${AUTOMATION_SERVICE_NAME}.${config.cluster.namespace}.svc:${port}${path}`;
}

export function automationWebhookUrl(config: StackConfig): string {
  return config.alerting.automation.url ?? inClusterAutomationUrl(config, AUTOMATION_ALERTS_PATH);
}

/**
 * Where the `log-only` receiver posts: `alerting.logOnlyUrl` (no credentials), else the
 * in-cluster automation service's /log-only (bearer token), which writes each alert to its log
 * for the log pipeline. None when the automation service runs elsewhere (`automation.url`).
 */
export function logOnlyWebhook(
  config: StackConfig,
): { url: string; authenticated: boolean } | undefined {
  const { logOnlyUrl } = config.alerting;
  if (logOnlyUrl) return { url: logOnlyUrl, authenticated: false };
  if (config.alerting.automation.url) return undefined;
  return {
    url: inClusterAutomationUrl(config, AUTOMATION_LOG_ONLY_PATH),
    authenticated: true,
  };
}

type FileOf = (key: ReceiverSecretKey) => string;

function pagerduty(config: StackConfig, file: FileOf, key: ReceiverSecretKey) {
  const link = (text: string, name: string) => ({ href: use(name), text });
  return {
    routing_key_file: file(key),
    url: config.alerting.pagerduty.url,
    send_resolved: true,
    client: "Port 8000 Alertmanager",
    client_url: "{{ .ExternalURL }}",
    severity: use(TemplateName.pagerdutySeverity),
    description: use(TemplateName.pagerdutyDescription),
    component: config.service.name,
    group: "{{ .CommonLabels.service }}",
    class: "{{ .CommonLabels.alertname }}",
    details: {
      firing: use(TemplateName.pagerdutyFiring),
      release: use(TemplateName.release),
      runbook: use(TemplateName.runbook),
      dashboard: use(TemplateName.dashboard),
      logs: use(TemplateName.logs),
      num_firing: "{{ .Alerts.Firing | len }}",
      num_resolved: "{{ .Alerts.Resolved | len }}",
    },
    links: [
      link("Runbook", TemplateName.runbook),
      link("Dashboard", TemplateName.dashboard),
      link("Logs", TemplateName.logs),
    ],
  };
}

/** One SNS publish per target: the topic, then each phone number. IAM role (IRSA) in prod. */
function snsConfigs(config: StackConfig) {
  const { region, topicArn, phoneNumbers, apiUrl } = config.alerting.sns;
  const common = {
    send_resolved: true,
    sigv4: { region },
    ...(apiUrl ? { api_url: apiUrl } : {}),
    subject: use(TemplateName.smsSubject),
    message: use(TemplateName.smsMessage),
  };
  return [
    ...(topicArn ? [{ topic_arn: topicArn, ...common }] : []),
    ...phoneNumbers.map((phone_number) => ({ phone_number, ...common })),
  ];
}

function slack(config: StackConfig, file: FileOf) {
  return {
    api_url_file: file("slackWebhookUrl"),
    channel: config.alerting.slack.channel,
    send_resolved: true,
    username: "Port 8000 Alertmanager",
    title: use(TemplateName.slackTitle),
    title_link: use(TemplateName.dashboard),
    text: use(TemplateName.slackText),
    color: '{{ if eq .Status "firing" }}warning{{ else }}good{{ end }}',
  };
}

function email(config: StackConfig, file: FileOf) {
  const { to, from, smarthost, authUsername, requireTls } = config.alerting.email;
  return {
    to: to.join(", "),
    from,
    smarthost,
    require_tls: requireTls,
    ...(authUsername
      ? { auth_username: authUsername, auth_password_file: file("smtpPassword") }
      : {}),
    send_resolved: true,
    headers: { Subject: use(TemplateName.emailSubject) },
    html: use(TemplateName.emailHtml),
    text: use(TemplateName.emailText),
  };
}

function webhook(url: string, file: FileOf | undefined) {
  return {
    url,
    send_resolved: true,
    ...(file
      ? {
          http_config: {
            authorization: { type: "Bearer", credentials_file: file("automationToken") },
          },
        }
      : {}),
  };
}

/**
 * The dead-man's switch ping. Never `send_resolved`: a resolved Watchdog would ping too and
 * look alive. `inlineUrl` only for an Alertmanager older than 0.26 (no `url_file`): the local
 * stack on Debian's fallback package, whose URL is a fake one.
 */
function heartbeat(file: FileOf, inlineUrl: string | undefined) {
  return {
    ...(inlineUrl ? { url: inlineUrl } : { url_file: file("heartbeatUrl") }),
    send_resolved: false,
    max_alerts: 1,
  };
}

export interface ReceiverOptions {
  readonly heartbeatUrlInline?: string;
}

export function buildReceivers(
  config: StackConfig,
  secretsDir: string,
  options: ReceiverOptions = {},
): ReceiverConfig[] {
  const file: FileOf = (key) => secretFilePath(secretsDir, key);
  const logOnly = logOnlyWebhook(config);
  return [
    {
      name: Receiver.pagerdutyCritical,
      pagerduty_configs: [pagerduty(config, file, "pagerdutyRoutingKey")],
    },
    { name: Receiver.smsBackup, sns_configs: snsConfigs(config) },
    {
      name: Receiver.pagerdutyInfraLead,
      pagerduty_configs: [pagerduty(config, file, "pagerdutyInfraLeadRoutingKey")],
    },
    { name: Receiver.automation, webhook_configs: [webhook(automationWebhookUrl(config), file)] },
    { name: Receiver.slackWarning, slack_configs: [slack(config, file)] },
    { name: Receiver.emailDigest, email_configs: [email(config, file)] },
    // Info is logged, never notified, and reviewed in the daily standup (guide 2.5).
    {
      name: Receiver.logOnly,
      ...(logOnly
        ? { webhook_configs: [webhook(logOnly.url, logOnly.authenticated ? file : undefined)] }
        : {}),
    },
    {
      name: Receiver.heartbeat,
      webhook_configs: [heartbeat(file, options.heartbeatUrlInline)],
    },
  ];
}
