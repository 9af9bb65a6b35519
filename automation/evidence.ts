import { readFileSync } from "node:fs";
import type { WebhookAlert } from "./alertmanager-webhook.ts";
import { alertmanagerAlerts, openSearchSearch, slackPoster } from "./evidence-clients.ts";

/**
 * Log evidence for pages (guide 2.1 "attach log samples", 2.4 "list of affected clients"):
 * when the error-rate or connection-drop alert fires (the poller below asks Alertmanager; no
 * route carries them here), search OpenSearch and post what it finds to #deia-ops. Bounded (a
 * timeout, a sample cap), authenticated, fire-and-forget: a failed search still posts the
 * alert with the reason, so OpenSearch never blocks or drops a post. Erasable syntax only.
 */

export type EvidenceKind = "errors" | "clients";

export interface EvidenceOptions {
  /** Runs one `_search` request body against the log indices; rejects on any failure. */
  search: (body: Record<string, unknown>) => Promise<unknown>;
  postSlack: (message: { text: string }) => Promise<void>;
  /** Alert names by kind; supplied by the deployment from the alert registry. */
  alerts: Record<EvidenceKind, string>;
  maxSamples: number;
  timeoutMs: number;
  /** How far back to look, an OpenSearch date-math unit such as "15m". */
  window: string;
  log?: (entry: Record<string, unknown>) => void;
}

export function evidenceKind(
  alert: WebhookAlert,
  alerts: Record<EvidenceKind, string>,
): EvidenceKind | undefined {
  if (alert.status !== "firing") return undefined;
  if (alert.labels.alertname === alerts.errors) return "errors";
  if (alert.labels.alertname === alerts.clients) return "clients";
  return undefined;
}

export function evidenceQuery(
  kind: EvidenceKind,
  options: Pick<EvidenceOptions, "maxSamples" | "window">,
) {
  const since = { range: { "@timestamp": { gte: `now-${options.window}` } } };
  const service = { term: { service: "port8000" } };
  if (kind === "errors") {
    return {
      size: options.maxSamples,
      sort: [{ "@timestamp": { order: "desc" } }],
      _source: ["@timestamp", "status", "url.path", "http.method", "release", "client.ip"],
      query: { bool: { filter: [service, since, { range: { status: { gte: 500 } } }] } },
    };
  }
  const drops = { terms: { event: ["websocket_disconnect", "tcp_connection_error"] } };
  return {
    size: 0,
    query: { bool: { filter: [service, since, drops] } },
    aggs: {
      clients: { terms: { field: "client_id", size: options.maxSamples } },
      addresses: { terms: { field: "client.ip", size: options.maxSamples } },
    },
  };
}

interface Hit {
  _source?: Record<string, unknown>;
}
type Buckets = { buckets?: { key: string; doc_count: number }[] };

const field = (source: Record<string, unknown> | undefined, path: string): string => {
  const flat = source?.[path];
  if (flat !== undefined) return String(flat);
  const nested = path
    .split(".")
    .reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], source);
  return nested === undefined ? "?" : String(nested);
};

export function formatEvidence(
  kind: EvidenceKind,
  alert: WebhookAlert,
  response: unknown,
  options: Pick<EvidenceOptions, "window">,
): string {
  const head = `*${alert.labels.alertname}* (${alert.labels.severity ?? "?"}) firing — log evidence, last ${options.window}`;
  const body = (response ?? {}) as {
    hits?: { hits?: Hit[] };
    aggregations?: Record<string, Buckets>;
  };
  if (kind === "errors") {
    const hits = body.hits?.hits ?? [];
    if (hits.length === 0) return `${head}\nNo 5xx lines found in the logs.`;
    const lines = hits.map((h) => {
      const s = h._source;
      return `• ${field(s, "@timestamp")} ${field(s, "status")} ${field(s, "http.method")} ${field(s, "url.path")} release=${field(s, "release")}`;
    });
    return `${head}\n${hits.length} recent 5xx sample(s):\n${lines.join("\n")}`;
  }
  const list = (name: string) =>
    (body.aggregations?.[name]?.buckets ?? []).map((b) => `${b.key} (${b.doc_count})`).join(", ");
  const clients = list("clients");
  const addresses = list("addresses");
  if (!clients && !addresses) return `${head}\nNo disconnect events found in the logs.`;
  return `${head}\nAffected clients: ${clients || "none named"}\nClient addresses: ${addresses || "none"}`;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Keys kept to recognise an alert already handled; the oldest go first. */
export const MAX_REMEMBERED = 1000;

function remember(seen: Set<string>, key: string): void {
  seen.add(key);
  for (const old of seen) {
    if (seen.size <= MAX_REMEMBERED) break;
    seen.delete(old);
  }
}

/** Returns a hook that starts the evidence work for each new firing alert and never waits. */
export function evidenceHook(options: EvidenceOptions) {
  const log = options.log ?? ((entry) => console.log(JSON.stringify(entry)));
  const seen = new Set<string>();
  const post = async (kind: EvidenceKind, alert: WebhookAlert): Promise<string> => {
    let text: string;
    try {
      const response = await withTimeout(
        options.search(evidenceQuery(kind, options)),
        options.timeoutMs,
        "log search",
      );
      text = formatEvidence(kind, alert, response, options);
    } catch (error) {
      const link = alert.annotations.logs_url
        ? `\nSearch by hand: ${alert.annotations.logs_url}`
        : "";
      text = `*${alert.labels.alertname}* firing — log samples unavailable (${(error as Error).message}).${link}`;
    }
    await withTimeout(options.postSlack({ text }), options.timeoutMs, "Slack post");
    return text;
  };
  const pending = new Set<Promise<unknown>>();
  return {
    onAlerts(alerts: WebhookAlert[]): void {
      for (const alert of alerts) {
        const kind = evidenceKind(alert, options.alerts);
        const key = `${alert.fingerprint}|${alert.startsAt}`;
        if (!kind || seen.has(key)) continue;
        remember(seen, key);
        const work = post(kind, alert)
          .then((text) =>
            log({ event: "evidence.posted", alert: alert.labels.alertname, kind, text }),
          )
          .catch((error) =>
            log({ event: "evidence.failed", alert: alert.labels.alertname, error: String(error) }),
          )
          .finally(() => pending.delete(work));
        pending.add(work);
      }
    },
    /** For tests and shutdown: resolves when every started post has finished. */
    idle: () => Promise.all([...pending]).then(() => undefined),
  };
}

export interface PollerOptions {
  fetchAlerts: () => Promise<WebhookAlert[]>;
  onAlerts: (alerts: WebhookAlert[]) => void;
  intervalMs: number;
  log?: (entry: Record<string, unknown>) => void;
}

/**
 * Polls for alerts and hands each new one (fingerprint + startsAt) to `onAlerts` once. A
 * failed poll is logged and retried on the next tick; it never throws.
 */
export function evidencePoller(options: PollerOptions) {
  const log = options.log ?? ((entry) => console.log(JSON.stringify(entry)));
  const seen = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const pollOnce = async (): Promise<number> => {
    try {
      const fresh = (await options.fetchAlerts()).filter(
        (a) => !seen.has(`${a.fingerprint}|${a.startsAt}`),
      );
      for (const a of fresh) remember(seen, `${a.fingerprint}|${a.startsAt}`);
      if (fresh.length > 0) options.onAlerts(fresh);
      return fresh.length;
    } catch (error) {
      log({ event: "evidence.poll-failed", error: String(error) });
      return 0;
    }
  };
  const tick = async () => {
    await pollOnce();
    if (!stopped) timer = setTimeout(tick, options.intervalMs);
  };
  return {
    pollOnce,
    start: () => void tick(),
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** The evidence poller's entry (EvidencePoller, components/automation/index.ts; POLLER_ENTRY). */
export function pollFromEnv(env: Record<string, string | undefined> = process.env) {
  const need = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`environment variable ${name} is required for log evidence`);
    return value;
  };
  const count = (name: string, fallback?: number): number => {
    const value = env[name] === undefined && fallback !== undefined ? fallback : Number(need(name));
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`environment variable ${name} must be a positive integer`);
    return value;
  };
  const timeoutMs = count("EVIDENCE_TIMEOUT_MS");
  const alerts = { errors: need("EVIDENCE_ERRORS_ALERT"), clients: need("EVIDENCE_CLIENTS_ALERT") };
  const hook = evidenceHook({
    search: openSearchSearch({
      url: need("OPENSEARCH_URL"),
      index: need("OPENSEARCH_INDEX"),
      username: need("OPENSEARCH_USER"),
      password: readFileSync(need("OPENSEARCH_PASSWORD_FILE"), "utf8").trim(),
      caFile: env.OPENSEARCH_CA_FILE,
      timeoutMs,
      clientModule: env.OPENSEARCH_CLIENT_MODULE,
    }),
    postSlack: slackPoster(readFileSync(need("SLACK_WEBHOOK_FILE"), "utf8").trim(), timeoutMs),
    alerts,
    maxSamples: count("EVIDENCE_MAX_SAMPLES"),
    timeoutMs,
    window: need("EVIDENCE_WINDOW"),
  });
  const alertmanager = need("ALERTMANAGER_URL");
  const intervalMs = count("EVIDENCE_POLL_INTERVAL_MS", 30_000);
  const poller = evidencePoller({
    fetchAlerts: alertmanagerAlerts(alertmanager, [alerts.errors, alerts.clients], timeoutMs),
    onAlerts: hook.onAlerts,
    intervalMs,
  });
  console.log(JSON.stringify({ event: "evidence.polling", alertmanager, intervalMs }));
  poller.start();
  return poller;
}
