/**
 * What the annotation webhooks turn a request into: a Grafana annotation to create, or the end
 * of one (a resolved incident); a request they refuse throws its Reply.
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

export interface Reply {
  status: number;
  body: Record<string, unknown>;
}
export const reply = (status: number, body: Record<string, unknown>): Reply => ({ status, body });

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

export const tagsOf = (job: AnnotationJob) =>
  job.kind === "create" ? job.annotation.tags : job.tags;
