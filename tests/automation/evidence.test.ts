import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { join } from "node:path";
import { evidenceHook, openSearchSearch } from "../../components/automation/service/evidence";
import { startAutomationServer } from "../../components/automation/service/server";
import { opensearchClientBundle } from "../../components/automation/workload";
import { EvidenceAlert } from "../../lib/conventions";
import { tempDir } from "../alertmanager/support";

const TOKEN = "evidence-test-token";
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

const alert = (alertname: string, severity: string, fingerprint = `fp-${alertname}`) => ({
  status: "firing",
  labels: { alertname, severity, service: "port8000" },
  annotations: { logs_url: "https://logs.example/app/discover" },
  startsAt: "2026-12-03T17:00:00Z",
  fingerprint,
});

async function page(url: string, ...alerts: unknown[]) {
  const started = Date.now();
  const res = await fetch(`${url}/alerts`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ version: "4", status: "firing", receiver: "automation", alerts }),
  });
  return { status: res.status, ms: Date.now() - started };
}

/** The automation service with the evidence hook, searching through the shipped client bundle. */
async function service(
  opensearchUrl: string,
  slackUrl: string,
  timeoutMs = 1500,
  password = PASSWORD,
) {
  const dir = tempDir("evidence");
  const clientModule = join(dir, "opensearch-client.cjs");
  writeFileSync(clientModule, opensearchClientBundle());
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
    log: () => undefined,
  });
  const server = await startAutomationServer({
    port: 0,
    token: TOKEN,
    stateDir: dir,
    runLogRotation: async () => "rotated",
    requestHeapSnapshot: async () => "snapshot",
    onAlerts: hook.onAlerts,
    log: () => undefined,
  });
  return { server, hook };
}

describe("log evidence on pages, over loopback HTTP", () => {
  it("posts at most 20 recent 5xx samples with path and release for the error-rate page", async () => {
    const [search, slack] = [await fakeOpenSearch(), await fakeSlack()];
    const { server, hook } = await service(search.url, slack.url);
    try {
      expect((await page(server.url, alert(EvidenceAlert.errors, "critical"))).status).toBe(200);
      await hook.idle();
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
      await Promise.all([server.close(), search.close(), slack.close()]);
    }
  });

  it("lists the affected clients for connection drops", async () => {
    const [search, slack] = [await fakeOpenSearch(), await fakeSlack()];
    const { server, hook } = await service(search.url, slack.url);
    try {
      await page(server.url, alert(EvidenceAlert.clients, "warning"));
      await hook.idle();
      expect(slack.posts[0].text).toContain("Affected clients: client-7 (31), client-2 (4)");
      expect(slack.posts[0].text).toContain("Client addresses: 10.0.0.9 (35)");
    } finally {
      await Promise.all([server.close(), search.close(), slack.close()]);
    }
  });

  it("still posts the page, with the reason, when OpenSearch is down", async () => {
    const [search, slack] = [await fakeOpenSearch(), await fakeSlack()];
    const downUrl = search.url;
    await search.close();
    const { server, hook } = await service(downUrl, slack.url);
    try {
      expect((await page(server.url, alert(EvidenceAlert.errors, "critical"))).status).toBe(200);
      await hook.idle();
      expect(slack.posts).toHaveLength(1);
      expect(slack.posts[0].text).toMatch(/log samples unavailable \(.+\)/);
      expect(slack.posts[0].text).toContain("Search by hand: https://logs.example/app/discover");
    } finally {
      await Promise.all([server.close(), slack.close()]);
    }
  });

  it("answers the webhook at once while OpenSearch hangs, and gives up after the timeout", async () => {
    const [search, slack] = [await fakeOpenSearch("hang"), await fakeSlack()];
    const { server, hook } = await service(search.url, slack.url, 800);
    try {
      const answer = await page(server.url, alert(EvidenceAlert.errors, "critical"));
      expect(answer.status).toBe(200);
      expect(answer.ms).toBeLessThan(500);
      const started = Date.now();
      await hook.idle();
      expect(Date.now() - started).toBeLessThan(3000);
      expect(slack.posts[0].text).toMatch(/unavailable/);
    } finally {
      await Promise.all([server.close(), search.close(), slack.close()]);
    }
  });

  it("authenticates as the evidence user, and reports a refusal instead of samples", async () => {
    const [search, slack] = [await fakeOpenSearch(), await fakeSlack()];
    const { server, hook } = await service(search.url, slack.url, 1500, "wrong-password");
    try {
      await page(server.url, alert(EvidenceAlert.errors, "critical"));
      await hook.idle();
      expect(search.requests[0].auth).toBe(
        `Basic ${Buffer.from(`${USER}:wrong-password`).toString("base64")}`,
      );
      expect(slack.posts[0].text).toMatch(/log samples unavailable/);
    } finally {
      await Promise.all([server.close(), search.close(), slack.close()]);
    }
  });

  it("ignores other alerts, resolved ones and repeats of the same notification", async () => {
    const [search, slack] = [await fakeOpenSearch(), await fakeSlack()];
    const { server, hook } = await service(search.url, slack.url);
    try {
      const errors = alert(EvidenceAlert.errors, "critical");
      await page(server.url, alert("Port8000HighLatency", "warning"), {
        ...errors,
        status: "resolved",
      });
      await page(server.url, errors);
      await page(server.url, errors);
      await hook.idle();
      expect(search.requests).toHaveLength(1);
      expect(slack.posts).toHaveLength(1);
    } finally {
      await Promise.all([server.close(), search.close(), slack.close()]);
    }
  });
});
