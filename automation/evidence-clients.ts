import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { WebhookAlert } from "./alertmanager-webhook.ts";

/** What the evidence poller talks to: OpenSearch, Slack and Alertmanager, each bounded. */

/** The official client, from the bundle shipped beside the service or from node_modules. */
export function openSearchSearch(config: {
  url: string;
  index: string;
  username: string;
  password: string;
  caFile?: string;
  timeoutMs: number;
  clientModule?: string;
}): (body: Record<string, unknown>) => Promise<unknown> {
  const base = typeof __filename === "string" ? __filename : join(process.cwd(), "evidence.js");
  const { Client } = createRequire(base)(config.clientModule ?? "@opensearch-project/opensearch");
  const client = new Client({
    node: config.url,
    auth: { username: config.username, password: config.password },
    ssl: config.caFile ? { ca: readFileSync(config.caFile) } : undefined,
    requestTimeout: config.timeoutMs,
    maxRetries: 0,
  });
  return async (body) => (await client.search({ index: config.index, body })).body;
}

/** Slack incoming webhook. */
export function slackPoster(webhookUrl: string, timeoutMs: number) {
  return async (message: { text: string }): Promise<void> => {
    const res = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) throw new Error(`Slack answered ${res.status}`);
  };
}

/**
 * The firing, unsilenced, uninhibited alerts of the given names from Alertmanager's API v2
 * (GET /api/v2/alerts; `filter` is a repeatable matcher), in the webhook's alert shape.
 */
export function alertmanagerAlerts(baseUrl: string, alertnames: string[], timeoutMs: number) {
  const query = new URLSearchParams({ active: "true", silenced: "false", inhibited: "false" });
  query.append("filter", `alertname=~"${alertnames.join("|")}"`);
  const url = `${baseUrl.replace(/\/+$/, "")}/api/v2/alerts?${query}`;
  return async (): Promise<WebhookAlert[]> => {
    const res = await fetch(url, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) throw new Error(`Alertmanager answered ${res.status} to GET /api/v2/alerts`);
    const body = (await res.json()) as unknown;
    if (!Array.isArray(body)) throw new Error("Alertmanager's /api/v2/alerts is not a list");
    return body.flatMap((raw: Record<string, unknown>) => {
      const { labels, annotations, startsAt, fingerprint } = raw ?? {};
      const named = (labels as Record<string, string> | undefined)?.alertname;
      if (!named || typeof fingerprint !== "string" || typeof startsAt !== "string") return [];
      const alert = { status: "firing", labels, annotations: annotations ?? {}, startsAt };
      return [{ ...alert, fingerprint } as WebhookAlert];
    });
  };
}
