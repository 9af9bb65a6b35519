import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";

/**
 * Guide 1.4 annotations: deploys (CI webhook, bearer token) and PagerDuty v3 incidents
 * (X-PagerDuty-Signature) become Grafana organization annotations tagged `deploy` and
 * `incident`. Requests are queued (on disk when stateDir is set) and written to Grafana's
 * /api/annotations with retries; a job Grafana keeps refusing is logged as an error with its
 * content, never dropped silently. node: builtins only, erasable syntax only (Node 24 runs it).
 */

export interface Annotation {
  time: number;
  timeEnd?: number;
  tags: string[];
  text: string;
}

export type AnnotationJob =
  | { kind: "create"; annotation: Annotation; unlessTagged?: string[] }
  | { kind: "end"; tags: string[]; timeEnd: number; fallback: Annotation };

export interface AnnotationOptions {
  grafanaUrl: string;
  grafanaToken: string;
  deployToken: string;
  /** PagerDuty webhook subscription secret(s); several while one is being rotated. */
  pagerdutySecrets: string[];
  stateDir?: string;
  log?: (entry: Record<string, unknown>) => void;
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxAttempts?: number;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface AnnotationService {
  routes: Record<string, RouteHandler>;
  /** Resolves once every queued job is written or given up on. */
  idle(): Promise<void>;
  pending(): AnnotationJob[];
  close(): void;
}

export const DEPLOY_PATH = "/annotations/deploy";
export const PAGERDUTY_PATH = "/annotations/pagerduty";
const MAX_BODY = 262_144;

interface Reply {
  status: number;
  body: Record<string, unknown>;
}
const reply = (status: number, body: Record<string, unknown>): Reply => ({ status, body });

function sameSecret(given: string, expected: string): boolean {
  const digest = (t: string) => createHash("sha256").update(t).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** PagerDuty: `X-PagerDuty-Signature: v1=<hex hmac-sha256 of the raw body>[,v1=...]`. */
export function pagerdutySignatureProblem(
  header: string | undefined,
  raw: string,
  secrets: string[],
): Reply | undefined {
  if (!header) return reply(400, { error: "missing X-PagerDuty-Signature header" });
  const given = header
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.startsWith("v1="))
    .map((s) => s.slice(3));
  if (given.length === 0)
    return reply(400, { error: "X-PagerDuty-Signature has no v1=<hex> signature" });
  const valid = secrets.some((secret) => {
    const expected = createHmac("sha256", secret).update(raw, "utf8").digest("hex");
    return given.some((g) => sameSecret(g, expected));
  });
  return valid ? undefined : reply(403, { error: "invalid X-PagerDuty-Signature" });
}

function text(value: unknown, field: string, pattern?: RegExp): string {
  if (typeof value !== "string" || value.trim() === "")
    throw reply(422, { error: `${field} must be a non-empty string` });
  if (pattern && !pattern.test(value))
    throw reply(422, { error: `${field} must match ${pattern}` });
  return value.trim();
}

function epochMs(value: unknown, field: string): number {
  const ms = typeof value === "number" ? value : Date.parse(String(value));
  if (!Number.isFinite(ms) || ms <= 0)
    throw reply(422, { error: `${field} must be an ISO 8601 time or epoch milliseconds` });
  return ms;
}

export function deployJob(body: Record<string, unknown>, now = Date.now()): AnnotationJob {
  const service = text(body.service, "service", /^[\w.-]{1,63}$/);
  const version = text(body.version, "version", /^[\w.+-]{1,64}$/);
  const commit = text(body.commit, "commit", /^[0-9a-f]{7,40}$/i);
  const who = text(body.who, "who");
  const time = body.time === undefined ? now : epochMs(body.time, "time");
  return {
    kind: "create",
    annotation: {
      time,
      tags: ["deploy", `service:${service}`, `version:${version}`],
      text: `Deploy of ${service} ${version} (commit ${commit}) by ${who}`,
    },
  };
}

/** incident.triggered → an annotation from its start; incident.resolved → that one ends. */
export function pagerdutyJob(body: Record<string, unknown>): AnnotationJob | string {
  const event = (body.event ?? {}) as Record<string, unknown>;
  const type = text(event.event_type, "event.event_type");
  if (type !== "incident.triggered" && type !== "incident.resolved") return type;
  const data = (event.data ?? {}) as Record<string, unknown>;
  const id = text(data.id, "event.data.id");
  const at = epochMs(event.occurred_at, "event.occurred_at");
  const start =
    data.created_at === undefined ? at : epochMs(data.created_at, "event.data.created_at");
  const service = ((data.service ?? {}) as Record<string, unknown>).summary;
  const tags = ["incident", `pagerduty:${id}`];
  const annotation: Annotation = {
    time: start,
    tags,
    text: [
      `PagerDuty incident #${data.number ?? id}: ${data.title ?? "(untitled)"}`,
      data.urgency ? ` [${data.urgency}]` : "",
      service ? ` on ${service}` : "",
      data.html_url ? `\n${data.html_url}` : "",
    ].join(""),
  };
  if (type === "incident.triggered") return { kind: "create", annotation, unlessTagged: tags };
  return { kind: "end", tags, timeEnd: at, fallback: { ...annotation, timeEnd: at } };
}

class GrafanaError extends Error {
  status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function grafanaClient(url: string, token: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${url.replace(/\/$/, "")}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const payload = await res.text();
    if (!res.ok)
      throw new GrafanaError(
        res.status,
        `${method} ${path}: HTTP ${res.status} ${payload.slice(0, 200)}`,
      );
    return payload ? JSON.parse(payload) : {};
  };
  const find = async (tags: string[]): Promise<{ id: number }[]> => {
    const query = tags.map((t) => `tags=${encodeURIComponent(t)}`).join("&");
    return (await call(
      "GET",
      `/api/annotations?${query}&matchAny=false&type=annotation&limit=1`,
    )) as { id: number }[];
  };
  return {
    run: async (job: AnnotationJob): Promise<string> => {
      if (job.kind === "create") {
        if (job.unlessTagged && (await find(job.unlessTagged)).length > 0)
          return "already annotated";
        const created = (await call("POST", "/api/annotations", job.annotation)) as { id?: number };
        return `annotation ${created.id} created`;
      }
      const [existing] = await find(job.tags);
      if (!existing) {
        const created = (await call("POST", "/api/annotations", job.fallback)) as { id?: number };
        return `annotation ${created.id} created with its end (no start seen)`;
      }
      await call("PATCH", `/api/annotations/${existing.id}`, { timeEnd: job.timeEnd });
      return `annotation ${existing.id} ended`;
    },
  };
}

/** Grafana's own refusals (bad request, forbidden) will not heal by retrying. */
function permanent(error: unknown): boolean {
  const status = error instanceof GrafanaError ? error.status : 0;
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

function readJson<T>(path: string | undefined, fallback: T): T {
  if (!path) return fallback;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return fallback;
  }
}

type Log = (entry: Record<string, unknown>) => void;
type Grafana = ReturnType<typeof grafanaClient>;
const tagsOf = (job: AnnotationJob) => (job.kind === "create" ? job.annotation.tags : job.tags);

/**
 * Jobs in order, persisted after every change when stateDir is set; retried with exponential
 * backoff; a job Grafana refuses for good (or past maxAttempts) is logged and kept in
 * annotation-failed.jsonl.
 */
function annotationQueue(options: AnnotationOptions, grafana: Grafana, log: Log) {
  if (options.stateDir) mkdirSync(options.stateDir, { recursive: true });
  const queuePath = options.stateDir ? join(options.stateDir, "annotation-queue.json") : undefined;
  const deadPath = options.stateDir ? join(options.stateDir, "annotation-failed.jsonl") : undefined;
  const queue: AnnotationJob[] = readJson(queuePath, []);
  const { baseDelayMs = 1000, maxDelayMs = 60_000, maxAttempts = 30 } = options;
  let attempts = 0;
  let running = false;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let waiters: (() => void)[] = [];

  const persist = () => {
    if (!queuePath) return;
    writeFileSync(`${queuePath}.tmp`, JSON.stringify(queue));
    renameSync(`${queuePath}.tmp`, queuePath);
  };
  const giveUp = (job: AnnotationJob, error: unknown) => {
    log({ event: "annotation.failed", level: "error", attempts, error: String(error), job });
    if (deadPath)
      appendFileSync(
        deadPath,
        `${JSON.stringify({ at: new Date().toISOString(), error: String(error), job })}\n`,
      );
  };
  /** Writes the head job; false when it is to be retried later. */
  const attempt = async (job: AnnotationJob): Promise<boolean> => {
    try {
      log({ event: "annotation.written", result: await grafana.run(job), tags: tagsOf(job) });
    } catch (error) {
      attempts += 1;
      if (!permanent(error) && attempts < maxAttempts) {
        const delayMs = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempts - 1));
        log({
          event: "annotation.retry",
          level: "warning",
          attempts,
          delayMs,
          error: String(error),
        });
        timer = setTimeout(work, delayMs);
        return false;
      }
      giveUp(job, error);
    }
    return true;
  };
  const work = async () => {
    if (running || closed) return;
    running = true;
    while (queue.length > 0 && !closed) {
      if (!(await attempt(queue[0]))) {
        running = false;
        return;
      }
      attempts = 0;
      queue.shift();
      persist();
    }
    running = false;
    for (const wake of waiters) wake();
    waiters = [];
  };

  if (queue.length > 0) void work();
  return {
    enqueue: (job: AnnotationJob) => {
      queue.push(job);
      persist();
      void work();
    },
    idle: () =>
      queue.length === 0 && !running
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push(resolve)),
    pending: () => [...queue],
    close: () => {
      closed = true;
      if (timer) clearTimeout(timer);
      if (queue.length > 0)
        log({ event: "annotation.pending-at-shutdown", level: "warning", jobs: queue });
    },
  };
}

async function parseWebhook(
  req: IncomingMessage,
  check: (req: IncomingMessage, raw: string) => Reply | undefined,
): Promise<Record<string, unknown>> {
  if (req.method !== "POST") throw reply(405, { error: "use POST" });
  const raw = await readRaw(req);
  const refused = check(req, raw);
  if (refused) throw refused;
  if (!String(req.headers["content-type"] ?? "").includes("application/json"))
    throw reply(415, { error: "content-type must be application/json" });
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (error) {
    throw reply(400, { error: `malformed JSON: ${(error as Error).message}` });
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw reply(422, { error: "body must be a JSON object" });
  return body as Record<string, unknown>;
}

/** A webhook: checked (auth), parsed, turned into a job and queued; 202 once queued. */
function webhook(
  check: (req: IncomingMessage, raw: string) => Reply | undefined,
  toJob: (body: Record<string, unknown>) => AnnotationJob | string,
  enqueue: (job: AnnotationJob) => void,
  log: Log,
): RouteHandler {
  return async (req, res) => {
    const answer = (r: Reply) => {
      res.writeHead(r.status, {
        "content-type": "application/json",
        ...(r.status === 405 ? { allow: "POST" } : {}),
      });
      res.end(JSON.stringify(r.body));
    };
    try {
      const job = toJob(await parseWebhook(req, check));
      if (typeof job === "string") return answer(reply(200, { ignored: job }));
      enqueue(job);
      answer(reply(202, { queued: job.kind, tags: tagsOf(job) }));
    } catch (error) {
      if (error && typeof error === "object" && "status" in error && "body" in error)
        return answer(error as Reply);
      log({ event: "annotation.error", level: "error", error: String(error) });
      answer(reply(500, { error: "internal error" }));
    }
  };
}

export function startAnnotations(options: AnnotationOptions): AnnotationService {
  const log = options.log ?? ((entry) => console.log(JSON.stringify(entry)));
  const queue = annotationQueue(
    options,
    grafanaClient(options.grafanaUrl, options.grafanaToken),
    log,
  );
  const bearer = (req: IncomingMessage): Reply | undefined => {
    const match = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ""));
    if (!match) return reply(401, { error: "missing Authorization: Bearer <deploy token>" });
    return sameSecret(match[1].trim(), options.deployToken)
      ? undefined
      : reply(401, { error: "invalid bearer token" });
  };
  const signed = (req: IncomingMessage, raw: string) =>
    pagerdutySignatureProblem(
      req.headers["x-pagerduty-signature"] as string | undefined,
      raw,
      options.pagerdutySecrets,
    );
  return {
    routes: {
      [DEPLOY_PATH]: webhook(bearer, (b) => deployJob(b), queue.enqueue, log),
      [PAGERDUTY_PATH]: webhook(signed, pagerdutyJob, queue.enqueue, log),
    },
    idle: queue.idle,
    pending: queue.pending,
    close: queue.close,
  };
}

function readRaw(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(reply(413, { error: `body larger than ${MAX_BODY} bytes` }));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Container entry: on only when GRAFANA_URL is set; secrets come from mounted files. */
export function routesFromEnv(
  env: Record<string, string | undefined>,
): Record<string, RouteHandler> {
  if (!env.GRAFANA_URL) return {};
  const file = (name: string) => {
    const path = env[name];
    if (!path) throw new Error(`environment variable ${name} is required with GRAFANA_URL`);
    return readFileSync(path, "utf8").trim();
  };
  const service = startAnnotations({
    grafanaUrl: env.GRAFANA_URL,
    grafanaToken: file("GRAFANA_TOKEN_FILE"),
    deployToken: file("DEPLOY_TOKEN_FILE"),
    pagerdutySecrets: file("PAGERDUTY_SECRET_FILE")
      .split(/\s*,\s*/)
      .filter(Boolean),
    stateDir: env.ANNOTATION_STATE_DIR,
  });
  // The queue's emptyDir goes with the pod: what is still queued is logged in full on the way out.
  process.once("SIGTERM", () => {
    service.close();
    process.exit(143);
  });
  return service.routes;
}
