import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Receiver } from "../../lib/conventions";
import { readBody } from "../http";
import { Journal, UNROUTED } from "./journal";

/**
 * One HTTP server standing in for PagerDuty, Slack, SNS and the automation webhook. Each path
 * answers the way the real API does, so Alertmanager treats deliveries as delivered.
 */

export interface HttpSinkOptions {
  readonly host: string;
  readonly port: number;
  readonly stateDir: string;
  /** PagerDuty routing key → receiver; the two PagerDuty receivers share one URL. */
  readonly pagerdutyKeys: Readonly<Record<string, Receiver>>;
  /** Where automation webhooks are forwarded after being recorded (the automation service). */
  readonly automationForward?: string;
}

export interface HttpSinks {
  readonly url: string;
  /** While down, a receiver answers 503 (Alertmanager retries) and records nothing. */
  setOutage(receiver: string, down: boolean): void;
  close(): Promise<void>;
}

function decode(raw: string, contentType: string | undefined): unknown {
  if (contentType?.includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function snsPublishResponse(): string {
  return `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`;
}

interface Reply {
  readonly status: number;
  readonly type: string;
  readonly body: string;
}

const json = (status: number, body: unknown): Reply => ({
  status,
  type: "application/json",
  body: JSON.stringify(body),
});

export async function startHttpSinks(options: HttpSinkOptions): Promise<HttpSinks> {
  const journal = new Journal(options.stateDir);
  const outages = new Set<string>();

  const receiverFor = (path: string, body: unknown): string => {
    if (path.startsWith("/pagerduty")) {
      const key = (body as { routing_key?: unknown } | null)?.routing_key;
      return options.pagerdutyKeys[String(key)] ?? UNROUTED;
    }
    if (path.startsWith("/slack")) return Receiver.slackWarning;
    if (path.startsWith("/sns")) return Receiver.smsBackup;
    if (path.startsWith("/automation")) return Receiver.automation;
    if (path.startsWith("/log-only")) return Receiver.logOnly;
    if (path.startsWith("/heartbeat")) return Receiver.heartbeat;
    return UNROUTED;
  };

  const forwardAutomation = async (raw: string, req: IncomingMessage): Promise<Reply> => {
    if (!options.automationForward) return json(200, { status: "recorded" });
    const res = await fetch(options.automationForward, {
      method: "POST",
      headers: {
        "content-type": req.headers["content-type"] ?? "application/json",
        authorization: req.headers.authorization ?? "",
      },
      body: raw,
    });
    return { status: res.status, type: "application/json", body: await res.text() };
  };

  const deliver = async (req: IncomingMessage, path: string): Promise<Reply> => {
    const raw = await readBody(req);
    const body = decode(raw, req.headers["content-type"]);
    const receiver = receiverFor(path, body);
    if (outages.has(receiver)) return json(503, { error: `${receiver} sink is down (outage)` });
    journal.record(receiver, path, body);
    if (receiver === UNROUTED) return json(400, { error: `no receiver for ${path}` });
    if (receiver === Receiver.smsBackup) {
      return { status: 200, type: "text/xml", body: snsPublishResponse() };
    }
    if (receiver === Receiver.slackWarning) return { status: 200, type: "text/plain", body: "ok" };
    if (receiver === Receiver.logOnly) return json(200, { status: "logged" });
    if (receiver === Receiver.heartbeat) return json(200, { status: "alive" });
    if (receiver === Receiver.automation) return forwardAutomation(raw, req);
    const dedupKey = (body as { dedup_key?: string }).dedup_key ?? randomUUID();
    return json(202, { status: "success", message: "Event processed", dedup_key: dedupKey });
  };

  const outage = async (req: IncomingMessage): Promise<Reply> => {
    const body = decode(await readBody(req), "application/json") as {
      receiver?: unknown;
      down?: unknown;
    };
    if (typeof body?.receiver !== "string" || typeof body.down !== "boolean") {
      return json(400, { error: 'expected {"receiver": NAME, "down": true|false}' });
    }
    if (body.down) outages.add(body.receiver);
    else outages.delete(body.receiver);
    return json(200, { down: [...outages] });
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://sinks").pathname;
    const reply =
      req.method === "POST" && path === "/admin/outage"
        ? await outage(req)
        : req.method === "POST"
          ? await deliver(req, path)
          : json(200, {
              sinks: ["/pagerduty", "/slack", "/sns", "/automation", "/log-only", "/heartbeat"],
            });
    res.writeHead(reply.status, { "content-type": reply.type });
    res.end(reply.body);
  };

  const server: Server = createServer((req, res) => {
    route(req, res).catch((err: Error) => {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`${err.message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    url: `http://${options.host}:${options.port}`,
    setOutage: (receiver, down) => (down ? outages.add(receiver) : outages.delete(receiver)),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
