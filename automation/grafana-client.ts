import type { AnnotationJob } from "./annotation-jobs.ts";

/** Grafana's annotations API: create, find by tags, end (PATCH timeEnd). */

class GrafanaError extends Error {
  status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export function grafanaClient(url: string, token: string) {
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

export type GrafanaClient = ReturnType<typeof grafanaClient>;

/** Grafana's own refusals (bad request, forbidden) will not heal by retrying. */
export function permanent(error: unknown): boolean {
  const status = error instanceof GrafanaError ? error.status : 0;
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}
