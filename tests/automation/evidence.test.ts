import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { join } from "node:path";
import {
  evidenceHook,
  evidencePoller,
  MAX_REMEMBERED,
  pollFromEnv,
} from "../../automation/evidence";
import { alertmanagerAlerts, openSearchSearch } from "../../automation/evidence-clients";
import { opensearchClientBundle } from "../../components/automation/workload";
import { EvidenceAlert } from "../../lib/conventions";
import { tempDir } from "../alertmanager/support";
import { waitUntil } from "../support/wait";

const USER = "automation-evidence";
const PASSWORD = "s3cret-evidence";

interface Stub {
  url: string;
  requests: { path: string; auth: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

const readJson = (req: IncomingMessage) =>
  new Promise<Record<string, unknown>>((resolve) => {
    let text = "";
    req.on("data", (c) => (text += c));
    req.on("end", () => resolve(text ? JSON.parse(text) : {}));
  });

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
}

function closer(server: Server) {
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

/** A stand-in of OpenSearch's `_search`: Basic auth required; 25 5xx lines; client buckets. */
async function fakeOpenSearch(mode: "up" | "hang" = "up"): Promise<Stub> {
  const requests: Stub["requests"] = [];
  const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;
  const server = createServer(async (req, res): Promise<void> => {
    const body = await readJson(req);
    requests.push({ path: req.url ?? "", auth: req.headers.authorization ?? "", body });
    if (mode === "hang") return;
    res.setHeader("content-type", "application/json");
    if (req.headers.authorization !== expected) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: "unauthorized" }));
      return;
    }
    if (body.aggs) {
      const buckets = [
        { key: "client-7", doc_count: 31 },
        { key: "client-2", doc_count: 4 },
      ];
      res.end(
        JSON.stringify({
          hits: { hits: [] },
          aggregations: {
            clients: { buckets },
            addresses: { buckets: [{ key: "10.0.0.9", doc_count: 35 }] },
          },
        }),
      );
      return;
    }
    const size = Number(body.size);
    const hits = Array.from({ length: Math.min(size, 25) }, (_, i) => ({
      _source: {
        "@timestamp": `2026-12-03T17:0${i % 10}:00Z`,
        status: 502,
        url: { path: `/api/tasks/${i}` },
        http: { method: "GET" },
        release: "v1.4.2",
      },
    }));
    res.end(JSON.stringify({ hits: { hits } }));
  });
  return { url: await listen(server), requests, close: closer(server) };
}

async function fakeSlack() {
  const posts: { text: string }[] = [];
  const server = createServer(async (req, res) => {
    posts.push((await readJson(req)) as { text: string });
    res.end("ok");
  });
  return { url: await listen(server), posts, close: closer(server) };
}

/** An alert as Alertmanager's GET /api/v2/alerts lists it (gettableAlert). */
const alert = (alertname: string, severity: string, fingerprint = `fp-${alertname}`) => ({
  labels: { alertname, severity, service: "port8000" },
  annotations: { logs_url: "https://logs.example/app/discover" },
  startsAt: "2026-12-03T17:00:00Z",
  endsAt: "2026-12-03T17:30:00Z",
  updatedAt: "2026-12-03T17:10:00Z",
  fingerprint,
  receivers: [{ name: "pagerduty-critical" }],
  status: { state: "active", silencedBy: [], inhibitedBy: [] },
});

/**
 * A stand-in of Alertmanager's API v2: GET /api/v2/alerts answers what `firing` holds when
 * the query asks for active, unsilenced, uninhibited alerts matching its alertname filter.
 */
async function fakeAlertmanager() {
  const firing: ReturnType<typeof alert>[] = [];
  const queries: URLSearchParams[] = [];
  const state = { failing: false };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    queries.push(url.searchParams);
    if (state.failing) {
      res.statusCode = 503;
      res.end("not ready");
      return;
    }
    if (req.method !== "GET" || url.pathname !== "/api/v2/alerts") {
      res.statusCode = 404;
      res.end();
      return;
    }
    const q = url.searchParams;
    const filters = q.getAll("filter");
    const names = /^alertname=~"(.+)"$/.exec(filters[0] ?? "")?.[1].split("|");
    const wanted =
      q.get("active") === "true" && q.get("silenced") === "false" && q.get("inhibited") === "false";
    res.setHeader("content-type", "application/json");
    res.end(
      JSON.stringify(
        wanted && filters.length === 1 && names
          ? firing.filter((a) => names.includes(a.labels.alertname))
          : [],
      ),
    );
  });
  return { url: await listen(server), firing, queries, state, close: closer(server) };
}

/** The evidence hook fed by the poller, searching through the shipped client bundle. */
async function poller(
  alertmanagerUrl: string,
  opensearchUrl: string,
  slackUrl: string,
  timeoutMs = 1500,
  password = PASSWORD,
) {
  const dir = tempDir("evidence");
  const clientModule = join(dir, "opensearch-client.cjs");
  writeFileSync(clientModule, opensearchClientBundle());
  const logs: Record<string, unknown>[] = [];
  const hook = evidenceHook({
    search: openSearchSearch({
      url: opensearchUrl,
      index: "port8000-*",
      username: USER,
      password,
      timeoutMs,
      clientModule,
    }),
    postSlack: async (message) => {
      const res = await fetch(slackUrl, { method: "POST", body: JSON.stringify(message) });
      if (!res.ok) throw new Error(`slack ${res.status}`);
    },
    alerts: EvidenceAlert,
    maxSamples: 20,
    timeoutMs,
    window: "15m",
    log: (entry) => logs.push(entry),
  });
  const names = [EvidenceAlert.errors, EvidenceAlert.clients];
  const polling = evidencePoller({
    fetchAlerts: alertmanagerAlerts(alertmanagerUrl, names, timeoutMs),
    onAlerts: hook.onAlerts,
    intervalMs: 60_000,
    log: (entry) => logs.push(entry),
  });
  return { poll: polling.pollOnce, hook, logs };
}

describe("log evidence on pages, polled from Alertmanager over loopback HTTP", () => {
  let am: Awaited<ReturnType<typeof fakeAlertmanager>>;
  beforeEach(async () => {
    am = await fakeAlertmanager();
  });
  afterEach(() => am.close());

  it("posts at most 20 recent 5xx samples with path and release for the error-rate page", async () => {
    const [search, slack] = [await fakeOpenSearch(), await fakeSlack()];
    const { poll, hook } = await poller(am.url, search.url, slack.url);
    try {
      am.firing.push(alert(EvidenceAlert.errors, "critical"));
      expect(await poll()).toBe(1);
      await hook.idle();
      expect(am.queries[0].getAll("filter")).toEqual([
        'alertname=~"Port8000HighErrorRate|Port8000ConnectionDrops"',
      ]);
      expect(search.requests).toHaveLength(1);
      expect(search.requests[0].path).toMatch(/^\/port8000-\*\/_search/);
      expect(search.requests[0].body.query).toMatchObject({
        bool: { filter: expect.arrayContaining([{ range: { status: { gte: 500 } } }]) },
      });
      expect(slack.posts).toHaveLength(1);
      const lines = slack.posts[0].text.split("\n").filter((l) => l.startsWith("•"));
      expect(lines).toHaveLength(20);
      expect(lines[3]).toContain("502 GET /api/tasks/3 release=v1.4.2");
    } finally {
      await Promise.all([search.close(), slack.close()]);
    }
  });

  it("lists the affected clients for connection drops", async () => {
    const [search, slack] = [await fakeOpenSearch(), await fakeSlack()];
    const { poll, hook } = await poller(am.url, search.url, slack.url);
    try {
      am.firing.push(alert(EvidenceAlert.clients, "warning"));
      await poll();
      await hook.idle();
      expect(slack.posts[0].text).toContain("Affected clients: client-7 (31), client-2 (4)");
      expect(slack.posts[0].text).toContain("Client addresses: 10.0.0.9 (35)");
    } finally {
      await Promise.all([search.close(), slack.close()]);
    }
  });

  it("posts a new alert once, however often it is polled; a new firing posts again", async () => {
    const [search, slack] = [await fakeOpenSearch(), await fakeSlack()];
    const { poll, hook } = await poller(am.url, search.url, slack.url);
    try {
      const errors = alert(EvidenceAlert.errors, "critical");
      am.firing.push(errors, alert("Port8000HighLatency", "warning"));
      expect(await poll()).toBe(1);
      expect(await poll()).toBe(0);
      await hook.idle();
      expect(slack.posts).toHaveLength(1);
      am.firing.splice(0, am.firing.length, { ...errors, startsAt: "2026-12-03T18:00:00Z" });
      expect(await poll()).toBe(1);
      await hook.idle();
      expect(search.requests).toHaveLength(2);
      expect(slack.posts).toHaveLength(2);
    } finally {
      await Promise.all([search.close(), slack.close()]);
    }
  });

  it("logs an unreachable or failing Alertmanager, and posts once it answers", async () => {
    const [search, slack] = [await fakeOpenSearch(), await fakeSlack()];
    const down = await fakeAlertmanager();
    await down.close();
    try {
      const unreachable = await poller(down.url, search.url, slack.url);
      expect(await unreachable.poll()).toBe(0);
      expect(unreachable.logs).toEqual([
        expect.objectContaining({ event: "evidence.poll-failed" }),
      ]);
      const { poll, hook, logs } = await poller(am.url, search.url, slack.url);
      am.firing.push(alert(EvidenceAlert.errors, "critical"));
      am.state.failing = true;
      expect(await poll()).toBe(0);
      expect(logs[0].error).toContain("Alertmanager answered 503");
      expect(slack.posts).toEqual([]);
      am.state.failing = false;
      expect(await poll()).toBe(1);
      await hook.idle();
      expect(slack.posts).toHaveLength(1);
    } finally {
      await Promise.all([search.close(), slack.close()]);
    }
  });

  it("polls on its interval until stopped, posting each alert once", async () => {
    const [search, slack] = [await fakeOpenSearch(), await fakeSlack()];
    const { hook } = await poller(am.url, search.url, slack.url);
    const polling = evidencePoller({
      fetchAlerts: alertmanagerAlerts(am.url, [EvidenceAlert.errors], 1000),
      onAlerts: hook.onAlerts,
      intervalMs: 40,
      log: () => undefined,
    });
    try {
      am.firing.push(alert(EvidenceAlert.errors, "critical"));
      const started = Date.now();
      polling.start();
      await waitUntil("three polls", () => am.queries.length >= 3);
      polling.stop();
      // Three polls 40 ms apart: far less than any default interval, even on a loaded machine.
      expect(Date.now() - started).toBeLessThan(2000);
      const polls = am.queries.length;
      await hook.idle();
      expect(slack.posts).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(am.queries.length).toBe(polls);
    } finally {
      polling.stop();
      await Promise.all([search.close(), slack.close()]);
    }
  });

  it("still posts the page, with the reason, when OpenSearch is down", async () => {
    const [search, slack] = [await fakeOpenSearch(), await fakeSlack()];
    const downUrl = search.url;
    await search.close();
    const { poll, hook } = await poller(am.url, downUrl, slack.url);
    try {
      am.firing.push(alert(EvidenceAlert.errors, "critical"));
      await poll();
      await hook.idle();
      expect(slack.posts).toHaveLength(1);
      expect(slack.posts[0].text).toMatch(/log samples unavailable \(.+\)/);
      expect(slack.posts[0].text).toContain("Search by hand: https://logs.example/app/discover");
    } finally {
      await slack.close();
    }
  });

  it("does not wait for a hanging OpenSearch, and gives up after the timeout", async () => {
    const [search, slack] = [await fakeOpenSearch("hang"), await fakeSlack()];
    const { poll, hook } = await poller(am.url, search.url, slack.url, 800);
    try {
      am.firing.push(alert(EvidenceAlert.errors, "critical"));
      const started = Date.now();
      await poll();
      expect(Date.now() - started).toBeLessThan(500);
      await hook.idle();
      expect(Date.now() - started).toBeLessThan(3000);
      expect(slack.posts[0].text).toMatch(/unavailable/);
    } finally {
      await Promise.all([search.close(), slack.close()]);
    }
  });

  it("authenticates as the evidence user, and reports a refusal instead of samples", async () => {
    const [search, slack] = [await fakeOpenSearch(), await fakeSlack()];
    const { poll, hook } = await poller(am.url, search.url, slack.url, 1500, "wrong-password");
    try {
      am.firing.push(alert(EvidenceAlert.errors, "critical"));
      await poll();
      await hook.idle();
      expect(search.requests[0].auth).toBe(
        `Basic ${Buffer.from(`${USER}:wrong-password`).toString("base64")}`,
      );
      expect(slack.posts[0].text).toMatch(/log samples unavailable/);
    } finally {
      await Promise.all([search.close(), slack.close()]);
    }
  });
});

describe("the evidence poller's memory and configuration", () => {
  it("remembers a bounded number of alerts, forgetting the oldest first", async () => {
    const many = Array.from({ length: MAX_REMEMBERED + 1 }, (_, i) => ({
      status: "firing" as const,
      labels: { alertname: EvidenceAlert.errors },
      annotations: {},
      startsAt: "2026-12-03T17:00:00Z",
      fingerprint: `fp-${i}`,
    }));
    let listed = many;
    const handed: string[] = [];
    const polling = evidencePoller({
      fetchAlerts: async () => listed,
      onAlerts: (alerts) => handed.push(...alerts.map((a) => a.fingerprint)),
      intervalMs: 1000,
    });
    expect(await polling.pollOnce()).toBe(MAX_REMEMBERED + 1);
    listed = [many[0], many[MAX_REMEMBERED]];
    expect(await polling.pollOnce()).toBe(1);
    expect(handed.at(-1)).toBe("fp-0");
  });

  it("refuses a bad poll interval or a missing Alertmanager URL by name", () => {
    const dir = tempDir("evidence-env");
    writeFileSync(join(dir, "secret"), "x");
    const env = {
      OPENSEARCH_URL: "https://127.0.0.1:1",
      OPENSEARCH_INDEX: "port8000-*",
      OPENSEARCH_USER: USER,
      OPENSEARCH_PASSWORD_FILE: join(dir, "secret"),
      OPENSEARCH_CLIENT_MODULE: join(dir, "client.cjs"),
      SLACK_WEBHOOK_FILE: join(dir, "secret"),
      EVIDENCE_ERRORS_ALERT: EvidenceAlert.errors,
      EVIDENCE_CLIENTS_ALERT: EvidenceAlert.clients,
      EVIDENCE_MAX_SAMPLES: "20",
      EVIDENCE_TIMEOUT_MS: "1000",
      EVIDENCE_WINDOW: "15m",
    };
    writeFileSync(env.OPENSEARCH_CLIENT_MODULE, opensearchClientBundle());
    expect(() => pollFromEnv(env)).toThrow("ALERTMANAGER_URL is required");
    expect(() =>
      pollFromEnv({
        ...env,
        ALERTMANAGER_URL: "http://127.0.0.1:1",
        EVIDENCE_POLL_INTERVAL_MS: "soon",
      }),
    ).toThrow("EVIDENCE_POLL_INTERVAL_MS must be a positive integer");
  });
});
