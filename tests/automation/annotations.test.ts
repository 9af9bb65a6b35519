import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type AnnotationService,
  routesFromEnv,
  startAnnotations,
} from "../../automation/annotations";
import { DEPLOY_PATH, PAGERDUTY_PATH } from "../../automation/paths";
import { type AutomationServer, startAutomationServer } from "../../automation/server";
import {
  AUTOMATION_ALERTS,
  CODE_DIR,
  ENTRY,
  SERVICE_FILES,
  serviceCode,
} from "../../components/automation/workload";
import { buildDashboards } from "../../dashboards";
import { AnnotationTag } from "../../dashboards/conventions";
import { tempDir } from "../alertmanager/support";
import { stackConfig } from "../alerts/support";
import { waitUntil } from "../support/wait";
import { type GrafanaStandIn, startGrafanaStandIn } from "./grafana-standin";

const GRAFANA_TOKEN = "glsa_test_token";
const DEPLOY_TOKEN = "deploy-token-0123456789";
const PD_SECRET = "pd-webhook-secret";

interface Harness {
  grafana: GrafanaStandIn;
  annotations: AnnotationService;
  server: AutomationServer;
  logged: Record<string, unknown>[];
  stateDir: string;
}

async function start(stateDir = tempDir("annotations"), maxAttempts = 30): Promise<Harness> {
  const grafana = await startGrafanaStandIn(GRAFANA_TOKEN);
  const logged: Record<string, unknown>[] = [];
  const annotations = startAnnotations({
    grafanaUrl: grafana.url,
    grafanaToken: GRAFANA_TOKEN,
    deployToken: DEPLOY_TOKEN,
    pagerdutySecrets: [PD_SECRET],
    stateDir,
    log: (e) => logged.push(e),
    baseDelayMs: 20,
    maxDelayMs: 50,
    maxAttempts,
  });
  const server = await startAutomationServer({
    port: 0,
    token: "alertmanager-token",
    alerts: AUTOMATION_ALERTS,
    runLogRotation: async () => "",
    requestHeapSnapshot: async () => "",
    routes: annotations.routes,
    log: () => undefined,
  });
  return { grafana, annotations, server, logged, stateDir };
}

async function stop(h: Harness): Promise<void> {
  h.annotations.close();
  await h.server.close();
  await h.grafana.close();
}

const deploy = { service: "port8000", version: "1.4.2", commit: "4bc2416e0f", who: "ci@github" };

function post(h: Harness, path: string, body: string, headers: Record<string, string>) {
  return fetch(`${h.server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
}

const sign = (raw: string, secret = PD_SECRET) =>
  `v1=${createHmac("sha256", secret).update(raw).digest("hex")}`;

function incident(type: string, occurredAt: string, id = "Q1INCIDENT") {
  return JSON.stringify({
    event: {
      id: `ev-${type}`,
      event_type: type,
      resource_type: "incident",
      occurred_at: occurredAt,
      data: {
        id,
        type: "incident",
        number: 42,
        title: "Port8000HighErrorRate critical",
        urgency: "high",
        created_at: "2026-12-03T10:00:00Z",
        html_url: `https://deia.pagerduty.com/incidents/${id}`,
        service: { summary: "Port 8000" },
      },
    },
  });
}

describe("deploy annotations over loopback HTTP", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await start();
  });
  afterEach(() => stop(h));

  it("turns an authenticated deploy event into a Grafana annotation tagged deploy", async () => {
    const res = await post(
      h,
      DEPLOY_PATH,
      JSON.stringify({ ...deploy, time: "2026-12-03T11:00:00Z" }),
      {
        authorization: `Bearer ${DEPLOY_TOKEN}`,
      },
    );
    expect(res.status).toBe(202);
    await h.annotations.idle();
    expect(h.grafana.annotations).toEqual([
      {
        id: 1,
        time: Date.parse("2026-12-03T11:00:00Z"),
        tags: ["deploy", "service:port8000", "version:1.4.2"],
        text: "Deploy of port8000 1.4.2 (commit 4bc2416e0f) by ci@github",
      },
    ]);
    expect(h.grafana.requests.every((r) => r.authorization === `Bearer ${GRAFANA_TOKEN}`)).toBe(
      true,
    );
  });

  it.each([
    ["no token", {}, 401],
    ["a wrong token", { authorization: "Bearer nope" }, 401],
  ])("refuses %s with %s and writes nothing", async (_, headers, status) => {
    const res = await post(
      h,
      DEPLOY_PATH,
      JSON.stringify(deploy),
      headers as Record<string, string>,
    );
    expect(res.status).toBe(status);
    expect(h.annotations.pending()).toEqual([]);
    expect(h.grafana.requests).toEqual([]);
  });

  it.each([
    ["commit", { ...deploy, commit: "not a sha" }],
    ["who", { ...deploy, who: "" }],
    ["time", { ...deploy, time: "yesterday-ish" }],
  ])("names the bad field %s with a 422 and writes nothing", async (field, body) => {
    const res = await post(h, DEPLOY_PATH, JSON.stringify(body), {
      authorization: `Bearer ${DEPLOY_TOKEN}`,
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: string }).error).toContain(field);
    expect(h.grafana.requests).toEqual([]);
  });

  it("refuses malformed JSON (400) and other methods (405)", async () => {
    const auth = { authorization: `Bearer ${DEPLOY_TOKEN}` };
    expect((await post(h, DEPLOY_PATH, "{", auth)).status).toBe(400);
    expect((await fetch(`${h.server.url}${DEPLOY_PATH}`)).status).toBe(405);
    expect(h.grafana.requests).toEqual([]);
  });
});

describe("PagerDuty v3 incident annotations over loopback HTTP", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await start();
  });
  afterEach(() => stop(h));

  it("opens an incident annotation at its start and closes it when resolved", async () => {
    const triggered = incident("incident.triggered", "2026-12-03T10:00:05Z");
    expect(
      (await post(h, PAGERDUTY_PATH, triggered, { "x-pagerduty-signature": sign(triggered) }))
        .status,
    ).toBe(202);
    await h.annotations.idle();
    const resolved = incident("incident.resolved", "2026-12-03T10:42:00Z");
    expect(
      (await post(h, PAGERDUTY_PATH, resolved, { "x-pagerduty-signature": sign(resolved) })).status,
    ).toBe(202);
    await h.annotations.idle();
    expect(h.grafana.annotations).toHaveLength(1);
    expect(h.grafana.annotations[0]).toMatchObject({
      time: Date.parse("2026-12-03T10:00:00Z"),
      timeEnd: Date.parse("2026-12-03T10:42:00Z"),
      tags: ["incident", "pagerduty:Q1INCIDENT"],
    });
    expect(h.grafana.annotations[0].text).toContain(
      "#42: Port8000HighErrorRate critical [high] on Port 8000",
    );
    expect(h.grafana.requests.map((r) => r.method)).toContain("PATCH");
  });

  it("writes one annotation when PagerDuty redelivers the trigger", async () => {
    const triggered = incident("incident.triggered", "2026-12-03T10:00:05Z");
    for (let i = 0; i < 2; i++)
      await post(h, PAGERDUTY_PATH, triggered, { "x-pagerduty-signature": sign(triggered) });
    await h.annotations.idle();
    expect(h.grafana.annotations).toHaveLength(1);
  });

  it("records a resolved incident whose trigger it never saw as a region", async () => {
    const resolved = incident("incident.resolved", "2026-12-03T10:42:00Z", "Q2ORPHAN");
    await post(h, PAGERDUTY_PATH, resolved, { "x-pagerduty-signature": sign(resolved) });
    await h.annotations.idle();
    expect(h.grafana.annotations).toEqual([
      expect.objectContaining({
        time: Date.parse("2026-12-03T10:00:00Z"),
        timeEnd: Date.parse("2026-12-03T10:42:00Z"),
        tags: ["incident", "pagerduty:Q2ORPHAN"],
      }),
    ]);
  });

  it("accepts any valid signature of several (secret rotation)", async () => {
    const raw = incident("incident.triggered", "2026-12-03T10:00:05Z");
    const header = `${sign(raw, "old-secret")}, ${sign(raw)}`;
    expect((await post(h, PAGERDUTY_PATH, raw, { "x-pagerduty-signature": header })).status).toBe(
      202,
    );
  });

  it.each([
    ["an unsigned request", () => ({}), 400],
    ["a header without v1=", () => ({ "x-pagerduty-signature": "sha256=abc" }), 400],
    [
      "a signature made with another secret",
      (raw: string) => ({ "x-pagerduty-signature": sign(raw, "wrong") }),
      403,
    ],
    [
      "a body changed after signing",
      (raw: string) => ({ "x-pagerduty-signature": sign(raw.replace("high", "low")) }),
      403,
    ],
  ])("refuses %s with %s and changes nothing", async (_, headers, status) => {
    const raw = incident("incident.triggered", "2026-12-03T10:00:05Z");
    const res = await post(h, PAGERDUTY_PATH, raw, headers(raw) as Record<string, string>);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toMatch(/X-PagerDuty-Signature/);
    expect(h.annotations.pending()).toEqual([]);
    expect(h.grafana.requests).toEqual([]);
  });

  it("acknowledges other event types without annotating them", async () => {
    const raw = incident("incident.acknowledged", "2026-12-03T10:01:00Z");
    const res = await post(h, PAGERDUTY_PATH, raw, { "x-pagerduty-signature": sign(raw) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ignored: "incident.acknowledged" });
    expect(h.grafana.requests).toEqual([]);
  });
});

describe("Grafana down", () => {
  it("retries until Grafana answers, logging each retry", async () => {
    const h = await start();
    h.grafana.failWith = 503;
    const res = await post(h, DEPLOY_PATH, JSON.stringify(deploy), {
      authorization: `Bearer ${DEPLOY_TOKEN}`,
    });
    expect(res.status).toBe(202);
    const retries = () => h.logged.filter((e) => e.event === "annotation.retry").length;
    await waitUntil("two logged retries", () => retries() >= 2);
    expect(h.grafana.annotations).toEqual([]);
    h.grafana.failWith = undefined;
    await h.annotations.idle();
    expect(h.grafana.annotations.map((a) => a.tags[0])).toEqual(["deploy"]);
    await stop(h);
  });

  it("keeps queued annotations on disk across a restart and delivers them", async () => {
    const first = await start();
    first.grafana.failWith = 503;
    const raw = incident("incident.triggered", "2026-12-03T10:00:05Z");
    await post(first, PAGERDUTY_PATH, raw, { "x-pagerduty-signature": sign(raw) });
    await stop(first);
    expect(first.logged.some((e) => e.event === "annotation.pending-at-shutdown")).toBe(true);
    const queued = JSON.parse(readFileSync(join(first.stateDir, "annotation-queue.json"), "utf8"));
    expect(queued).toHaveLength(1);

    const second = await start(first.stateDir);
    await second.annotations.idle();
    expect(second.grafana.annotations.map((a) => a.tags)).toEqual([
      ["incident", "pagerduty:Q1INCIDENT"],
    ]);
    await stop(second);
  });

  it("gives up only after the bound, loudly, keeping the annotation in a failure file", async () => {
    const h = await start(undefined, 3);
    h.grafana.failWith = 503;
    await post(h, DEPLOY_PATH, JSON.stringify(deploy), { authorization: `Bearer ${DEPLOY_TOKEN}` });
    await h.annotations.idle();
    const failed = h.logged.find((e) => e.event === "annotation.failed");
    expect(failed).toMatchObject({ level: "error", attempts: 3 });
    expect(JSON.stringify(failed)).toContain("commit 4bc2416e0f");
    const file = join(h.stateDir, "annotation-failed.jsonl");
    expect(existsSync(file) && readFileSync(file, "utf8")).toContain("service:port8000");
    await stop(h);
  });
});

describe("annotation tags and dashboards agree", () => {
  it("every dashboard queries the tags the service writes", () => {
    for (const model of Object.values(buildDashboards(stackConfig("prod")))) {
      const queried = (model.annotations?.list ?? []).flatMap((a) => a.target?.tags ?? []);
      // Besides the kinds, a dashboard narrows deploys to its service's (tag service:<name>).
      const kinds = queried.filter((tag) => !tag.startsWith("service:"));
      expect(kinds.sort()).toEqual(Object.values(AnnotationTag).sort());
    }
  });
});

describe("container wiring (routesFromEnv)", () => {
  it("stays off without GRAFANA_URL and names a missing secret file when on", () => {
    expect(routesFromEnv({})).toEqual({});
    expect(() => routesFromEnv({ GRAFANA_URL: "http://grafana" })).toThrow(
      /GRAFANA_TOKEN_FILE is required/,
    );
  });
});

describe("the container entry", () => {
  it("hands every file after server.ts and cluster.ts to main() as a route plugin", async () => {
    const dir = tempDir("entry");
    // What the ConfigMap ships, so the plugins import their siblings as they do in /app.
    for (const [f, text] of Object.entries(serviceCode()))
      if (f !== "cluster.ts") writeFileSync(join(dir, f), text);
    // Node 24 detects ES module syntax in /app; tsx needs to be told.
    writeFileSync(join(dir, "package.json"), '{"type":"module"}');
    // A stand-in cluster.ts: the real one needs a Kubernetes service account.
    writeFileSync(
      join(dir, "cluster.ts"),
      `export async function main(start, plugins) {
  const routes = Object.assign({}, ...plugins.map((p) => p.routesFromEnv?.({}) ?? {}));
  console.log(JSON.stringify({ plugins: plugins.length, hasRoutesFromEnv: plugins.map((p) => typeof p.routesFromEnv), hasRestartFromEnv: plugins.map((p) => typeof p.restartFromEnv), start: typeof start, routes: Object.keys(routes) }));
}`,
    );
    const entry = ENTRY.replaceAll(`${CODE_DIR}/`, `${dir}/`);
    const out = execFileSync(join(__dirname, "../../node_modules/.bin/tsx"), ["-e", entry], {
      encoding: "utf8",
    });
    expect(JSON.parse(out.trim())).toEqual({
      plugins: SERVICE_FILES.length - 2,
      // annotations.ts adds routes; evidence.ts none (the evidence poller runs it); restart.ts
      // gives the controlled restart.
      hasRoutesFromEnv: ["function", "undefined", "undefined"],
      hasRestartFromEnv: ["undefined", "undefined", "function"],
      start: "function",
      routes: [],
    });
  });
});
