import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type AnnotationJob,
  deployJob,
  pagerdutyJob,
  type Reply,
  reply,
  tagsOf,
} from "./annotation-jobs.ts";
import { annotationQueue, type Log, type QueueOptions } from "./annotation-queue.ts";
import { grafanaClient } from "./grafana-client.ts";
import { pagerdutySignatureProblem, sameSecret } from "./pagerduty-signature.ts";
import { DEPLOY_PATH, PAGERDUTY_PATH } from "./paths.ts";

/**
 * Guide 1.4 annotations: deploys (CI webhook, bearer token) and PagerDuty v3 incidents
 * (X-PagerDuty-Signature) become Grafana organization annotations tagged `deploy` and
 * `incident`. Requests are queued (annotation-queue.ts; on disk when stateDir is set) and
 * written to Grafana's /api/annotations with retries; a job Grafana keeps refusing is logged as
 * an error with its content, never dropped silently.
 */

export interface AnnotationOptions extends QueueOptions {
  grafanaUrl: string;
  grafanaToken: string;
  deployToken: string;
  /** PagerDuty webhook subscription secret(s); several while one is being rotated. */
  pagerdutySecrets: string[];
  log?: Log;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface AnnotationService {
  routes: Record<string, RouteHandler>;
  /** Resolves once every queued job is written or given up on. */
  idle(): Promise<void>;
  pending(): AnnotationJob[];
  close(): void;
}

const MAX_BODY = 262_144;

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
