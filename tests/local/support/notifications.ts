import { Receiver } from "../../../lib/conventions";
import { readReceived } from "../../../local/sinks/journal";

/** What each sink got, reduced to (alertname, status) pairs, whatever the integration's format. */

export type Status = "firing" | "resolved";

export interface Notification {
  readonly receiver: string;
  readonly alertnames: string[];
  readonly status: Status;
  readonly receivedAt: number;
  readonly body: unknown;
}

type Body = Record<string, unknown>;

/** Quoted-printable soft breaks and escapes, as Alertmanager's mails carry them. */
function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

function fromPagerDuty(body: Body): [string[], Status] {
  const payload = body.payload as Body | undefined;
  const status = body.event_action === "resolve" ? "resolved" : "firing";
  return [[String(payload?.class ?? "")], status];
}

function fromSns(body: Body): [string[], Status] {
  const [, status, alertname] = /P8000 (\w+) (\S+)/.exec(String(body.Subject)) ?? [];
  return [[alertname ?? ""], status === "RESOLVED" ? "resolved" : "firing"];
}

function fromSlack(body: Body): [string[], Status] {
  const title = String((body.attachments as Body[] | undefined)?.[0]?.title ?? "");
  const [, status, alertname] = /^\[(\w+)(?::\d+)?\] (\S+)/.exec(title) ?? [];
  return [[alertname ?? ""], status === "RESOLVED" ? "resolved" : "firing"];
}

function fromEmail(body: Body): [string[], Status] {
  const text = decodeQuotedPrintable(String(body.message));
  const names = [...text.matchAll(/\[(FIRING|RESOLVED)\] (\w+)/g)];
  const status = names.some(([, s]) => s === "FIRING") ? "firing" : "resolved";
  return [[...new Set(names.map(([, , name]) => name))], status];
}

function fromWebhook(body: Body): [string[], Status] {
  const alerts = (body.alerts as { labels: Body }[] | undefined) ?? [];
  const names = alerts.map((a) => String(a.labels.alertname));
  return [[...new Set(names)], body.status === "resolved" ? "resolved" : "firing"];
}

const DECODERS: Record<string, (body: Body) => [string[], Status]> = {
  [Receiver.pagerdutyCritical]: fromPagerDuty,
  [Receiver.pagerdutyInfraLead]: fromPagerDuty,
  [Receiver.smsBackup]: fromSns,
  [Receiver.slackWarning]: fromSlack,
  [Receiver.emailDigest]: fromEmail,
  [Receiver.automation]: fromWebhook,
  [Receiver.logOnly]: fromWebhook,
  [Receiver.heartbeat]: fromWebhook,
};

export function notifications(stateDir: string, receiver: string): Notification[] {
  const decode = DECODERS[receiver];
  if (!decode) throw new Error(`no decoder for receiver ${receiver}`);
  return readReceived(stateDir, receiver).map((entry) => {
    const [alertnames, status] = decode(entry.body as Body);
    return { receiver, alertnames, status, receivedAt: entry.receivedAt, body: entry.body };
  });
}

export function about(stateDir: string, receiver: string, alertname: string, status?: Status) {
  return notifications(stateDir, receiver).filter(
    (n) => n.alertnames.includes(alertname) && (status === undefined || n.status === status),
  );
}
