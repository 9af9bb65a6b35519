/**
 * The Prometheus and Alertmanager HTTP APIs as the ops CLI uses them. Every failure to reach a
 * server or to get an API answer becomes an Unreachable naming the server and URL: the CLI
 * prints it as one line and exits 2.
 */

export class Unreachable extends Error {}

export type Progress = (line: string) => void;

export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

export interface Series {
  readonly metric: Record<string, string>;
  readonly values: readonly [number, number][];
}

const TIMEOUT_MS = 60_000;

async function call(what: string, url: string, init?: RequestInit): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    throw new Unreachable(`cannot reach ${what} at ${new URL(url).origin} (${why})`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Unreachable(
      `${new URL(url).origin} does not answer like the ${what} API (HTTP ${res.status} on ${new URL(url).pathname})`,
    );
  }
  if (!res.ok) {
    const error = (body as { error?: string }).error ?? text.slice(0, 200);
    throw new Unreachable(`${what} refused ${new URL(url).pathname}: HTTP ${res.status} ${error}`);
  }
  return body;
}

export class PrometheusApi {
  constructor(
    readonly url: string,
    private readonly progress: Progress = () => {},
  ) {}

  private async data<T>(path: string, params: Record<string, string>, method = "GET") {
    const query = new URLSearchParams(params).toString();
    const body = (await call(
      "Prometheus",
      `${this.url}${path}${method === "GET" && query ? `?${query}` : ""}`,
      method === "POST"
        ? {
            method,
            body: query,
            headers: { "content-type": "application/x-www-form-urlencoded" },
          }
        : undefined,
    )) as { status?: string; data?: T };
    if (body.status !== "success" || body.data === undefined) {
      throw new Unreachable(`${this.url} does not answer like the Prometheus API (${path})`);
    }
    return body.data;
  }

  async buildInfo(): Promise<{ version: string }> {
    return this.data("/api/v1/status/buildinfo", {});
  }

  async flags(): Promise<Record<string, string>> {
    return this.data("/api/v1/status/flags", {});
  }

  /** Instant vector at `time` (unix seconds). */
  async query(promql: string, time: number): Promise<Sample[]> {
    this.progress(`  query ${oneLine(promql)}`);
    const data = await this.data<{ resultType: string; result: unknown }>(
      "/api/v1/query",
      { query: promql, time: String(time) },
      "POST",
    );
    if (data.resultType === "scalar") {
      const [, v] = data.result as [number, string];
      return [{ metric: {}, value: Number(v) }];
    }
    return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map(
      (r) => ({ metric: r.metric, value: Number(r.value[1]) }),
    );
  }

  async scalar(promql: string, time: number): Promise<number | undefined> {
    const [first] = await this.query(promql, time);
    return first === undefined || Number.isNaN(first.value) ? undefined : first.value;
  }

  async queryRange(promql: string, start: number, end: number, step: number): Promise<Series[]> {
    this.progress(`  range ${oneLine(promql)} (${Math.round((end - start) / step)} steps)`);
    const data = await this.data<{
      result: { metric: Record<string, string>; values: [number, string][] }[];
    }>(
      "/api/v1/query_range",
      { query: promql, start: String(start), end: String(end), step: String(step) },
      "POST",
    );
    return data.result.map((r) => ({
      metric: r.metric,
      values: r.values.map(([t, v]) => [t, Number(v)] as [number, number]),
    }));
  }

  async alertingRules(): Promise<AlertingRule[]> {
    const data = await this.data<{ groups: { rules: AlertingRule[] }[] }>("/api/v1/rules", {
      type: "alert",
    });
    return data.groups.flatMap((g) => g.rules);
  }

  /** POST /api/v1/admin/tsdb/snapshot (needs --web.enable-admin-api). */
  async snapshot(): Promise<string> {
    const data = await this.data<{ name: string }>("/api/v1/admin/tsdb/snapshot", {}, "POST");
    return data.name;
  }
}

export interface AlertingRule {
  readonly name: string;
  readonly query: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

export interface AmAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly status: { state: string };
}

export class AlertmanagerApi {
  constructor(readonly url: string) {}

  async status(): Promise<unknown> {
    const body = await call("Alertmanager", `${this.url}/api/v2/status`);
    if (typeof body !== "object" || body === null || !("versionInfo" in body)) {
      throw new Unreachable(
        `${this.url} does not answer like the Alertmanager API (/api/v2/status)`,
      );
    }
    return body;
  }

  /** The configuration Alertmanager runs, as loaded (YAML). */
  async originalConfig(): Promise<string> {
    const body = (await this.status()) as { config?: { original?: string } };
    return body.config?.original ?? "";
  }

  async silences(): Promise<
    {
      id: string;
      createdBy: string;
      comment: string;
      endsAt: string;
      status: { state: string };
      matchers: { name: string; value: string; isRegex?: boolean; isEqual?: boolean }[];
    }[]
  > {
    return (await call("Alertmanager", `${this.url}/api/v2/silences`)) as never;
  }

  async alerts(): Promise<AmAlert[]> {
    return (await call("Alertmanager", `${this.url}/api/v2/alerts`)) as AmAlert[];
  }
}

function oneLine(promql: string): string {
  const flat = promql.replace(/\s+/g, " ").trim();
  return flat.length > 100 ? `${flat.slice(0, 97)}...` : flat;
}
