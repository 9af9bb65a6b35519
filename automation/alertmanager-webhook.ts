import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Alertmanager's webhook (payload version 4) as the service receives it: the bearer token
 * checked in constant time, the body read with a limit and checked field by field, JSON replies.
 */

export interface WebhookAlert {
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  /** Passed through when present (resolved alerts); not validated. */
  endsAt?: string;
  fingerprint: string;
}

export class HttpError extends Error {
  status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** Constant time: both sides hashed to the same length before comparing. */
export function checkBearer(header: string | undefined, token: string): void {
  if (!header) throw new HttpError(401, "missing Authorization: Bearer <token>");
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) throw new HttpError(401, "Authorization must use the Bearer scheme");
  if (!timingSafeEqual(digest(match[1].trim()), digest(token)))
    throw new HttpError(401, "invalid bearer token");
}

function isRecordOfStrings(value: unknown): value is Record<string, string> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === "string")
  );
}

/** Checks the Alertmanager webhook payload (version 4); names the first bad field. */
export function parsePayload(text: string): WebhookAlert[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `malformed JSON: ${(error as Error).message}`);
  }
  const shape = (message: string) => new HttpError(422, `not an Alertmanager webhook: ${message}`);
  if (typeof body !== "object" || body === null) throw shape("body must be a JSON object");
  const payload = body as { version?: unknown; alerts?: unknown };
  if (payload.version !== "4") throw shape('version must be "4"');
  if (!Array.isArray(payload.alerts)) throw shape("alerts must be an array");
  return payload.alerts.map((raw: unknown, i: number) => {
    const a = (raw ?? {}) as Record<string, unknown>;
    if (a.status !== "firing" && a.status !== "resolved")
      throw shape(`alerts[${i}].status must be "firing" or "resolved"`);
    if (!isRecordOfStrings(a.labels) || !a.labels.alertname)
      throw shape(`alerts[${i}].labels must map names to strings and include alertname`);
    if (a.annotations !== undefined && !isRecordOfStrings(a.annotations))
      throw shape(`alerts[${i}].annotations must map names to strings`);
    for (const field of ["fingerprint", "startsAt"])
      if (typeof a[field] !== "string" || a[field] === "")
        throw shape(`alerts[${i}].${field} must be a non-empty string`);
    return {
      status: a.status,
      labels: a.labels,
      annotations: (a.annotations ?? {}) as Record<string, string>,
      startsAt: a.startsAt as string,
      ...(typeof a.endsAt === "string" ? { endsAt: a.endsAt } : {}),
      fingerprint: a.fingerprint as string,
    };
  });
}

export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) reject(new HttpError(413, `body larger than ${limit} bytes`));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="port8000-automation"';
  if (status === 405) headers.allow = "POST";
  res.writeHead(status, headers);
  res.end(JSON.stringify(body));
}
