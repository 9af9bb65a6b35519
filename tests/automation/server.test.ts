import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import ts from "typescript";
import type { WebhookAlert } from "../../automation/alertmanager-webhook";
import { heapSnapshotRequest, heapSnapshotTarget } from "../../automation/cluster";
import { AUTOMATION_ALERTS, serviceModules } from "../../components/automation/workload";
import { tempDir } from "../alertmanager/support";
import { tsxNode } from "../support/tsx";
import {
  type AutomationHarness,
  alert,
  freezeStatus,
  type HarnessOptions,
  payload,
  post,
  startAutomation,
  TOKEN,
} from "./support";

/** A harness with its state on disk, as the service runs in the cluster. */
const start = (options: HarnessOptions = {}) =>
  startAutomation({ ...options, stateDir: options.stateDir ?? tempDir("automation") });

interface Reply {
  error?: string;
  done?: unknown[];
  failed?: { error: string }[];
}
const reply = async (res: Response) => (await res.json()) as Reply;

async function freeze(h: AutomationHarness) {
  return (await freezeStatus(h)).json();
}

describe("automation service over HTTP on 127.0.0.1", () => {
  let h: AutomationHarness;
  beforeEach(async () => {
    h = await start();
  });
  afterEach(() => h.server.close());

  it("runs the log rotation for a disk warning", async () => {
    const res = await post(h, payload(alert("HostDiskSpaceLow", "warning")));
    expect(res.status).toBe(200);
    expect(h.rotations.map((a) => a.labels.instance)).toEqual(["node-a:9100"]);
    expect(h.snapshots).toEqual([]);
  });

  it("requests a heap snapshot for a memory-leak warning", async () => {
    expect((await post(h, payload(alert("Port8000MemoryLeak", "warning")))).status).toBe(200);
    expect(h.snapshots).toHaveLength(1);
    expect(h.rotations).toEqual([]);
  });

  it("sets the deploy freeze on a critical disk alert and lifts it when it resolves", async () => {
    await post(h, payload(alert("HostDiskSpaceLow", "critical")));
    expect(await freeze(h)).toMatchObject({
      frozen: true,
      reason: expect.stringContaining("node-a"),
    });
    await post(h, payload(alert("HostDiskSpaceLow", "critical", "resolved")));
    expect(await freeze(h)).toMatchObject({ frozen: false, alerts: [] });
  });

  it("a firing critical disk alert also rotates the logs (its warning is muted), once", async () => {
    const body = payload(alert("HostDiskSpaceLow", "critical"));
    const res = await post(h, body);
    expect(res.status).toBe(200);
    expect((await reply(res)).done).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: "freeze" }),
        expect.objectContaining({ action: "rotate-logs" }),
      ]),
    );
    expect(h.rotations.map((a) => a.labels.severity)).toEqual(["critical"]);
    expect(await freeze(h)).toMatchObject({ frozen: true });
    await Promise.all([post(h, body), post(h, body)]);
    expect(h.rotations).toHaveLength(1);
    // Resolving lifts the freeze and rotates nothing.
    await post(h, payload(alert("HostDiskSpaceLow", "critical", "resolved")));
    expect(h.rotations).toHaveLength(1);
    expect(await freeze(h)).toMatchObject({ frozen: false });
  });

  it("holds the freeze while any host's critical still fires", async () => {
    await post(
      h,
      payload(
        alert("HostDiskSpaceLow", "critical", "firing", "a"),
        alert("HostDiskSpaceLow", "critical", "firing", "b"),
      ),
    );
    await post(h, payload(alert("HostDiskSpaceLow", "critical", "resolved", "a")));
    expect(await freeze(h)).toMatchObject({ frozen: true, alerts: ["b"] });
  });

  it("acts once on repeated and concurrent notifications of the same alert", async () => {
    const body = payload(alert("HostDiskSpaceLow", "warning"));
    await Promise.all([post(h, body), post(h, body)]);
    const again = await reply(await post(h, body));
    expect(h.rotations).toHaveLength(1);
    expect(again.done).toEqual([expect.objectContaining({ duplicate: true })]);
  });

  it("acts again when the alert fires anew (new startsAt)", async () => {
    await post(h, payload(alert("HostDiskSpaceLow", "warning")));
    await post(
      h,
      payload({ ...alert("HostDiskSpaceLow", "warning"), startsAt: "2025-10-26T04:00:00Z" }),
    );
    expect(h.rotations).toHaveLength(2);
  });

  it("remembers handled notifications across a restart (stateDir)", async () => {
    await post(h, payload(alert("HostDiskSpaceLow", "warning")));
    await h.server.close();
    const restarted = await start({ stateDir: h.stateDir });
    await post(restarted, payload(alert("HostDiskSpaceLow", "warning")));
    expect(restarted.rotations).toEqual([]);
    await restarted.server.close();
    h = await start();
  });

  it("ignores alerts it has no automation for, and resolved warnings", async () => {
    await post(
      h,
      payload(alert("HostHighCpu", "warning"), alert("HostDiskSpaceLow", "warning", "resolved")),
    );
    expect([...h.rotations, ...h.snapshots]).toEqual([]);
  });

  it.each([
    ["no Authorization header", {}, 401, /missing Authorization/],
    ["another scheme", { authorization: `Basic ${TOKEN}` }, 401, /Bearer scheme/],
    ["a wrong token", { authorization: "Bearer nope" }, 401, /invalid bearer token/],
    [
      "a token that is a prefix of the right one",
      { authorization: `Bearer ${TOKEN.slice(0, 5)}` },
      401,
      /invalid/,
    ],
  ])("rejects %s with %i and acts on nothing", async (_, headers, status, message) => {
    const res = await fetch(`${h.server.url}/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(payload(alert("HostDiskSpaceLow", "warning"))),
    });
    expect(res.status).toBe(status);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    expect((await reply(res)).error).toMatch(message);
    expect(h.rotations).toEqual([]);
  });

  it.each([
    ["malformed JSON", "{not json", 400, /malformed JSON/],
    ["a JSON array", "[]", 422, /version/],
    ["a wrong version", { version: "3", alerts: [] }, 422, /version must be "4"/],
    ["alerts not an array", { version: "4", alerts: {} }, 422, /alerts must be an array/],
    [
      "an alert without fingerprint",
      payload({ ...alert("HostDiskSpaceLow", "warning"), fingerprint: undefined }),
      422,
      /alerts\[0\]\.fingerprint/,
    ],
    [
      "an unknown status",
      payload({ ...alert("HostDiskSpaceLow", "warning"), status: "pending" }),
      422,
      /alerts\[0\]\.status/,
    ],
    [
      "labels that are not strings",
      payload({ ...alert("HostDiskSpaceLow", "warning"), labels: { alertname: 1 } }),
      422,
      /labels/,
    ],
  ])("rejects %s with %i", async (_, body, status, message) => {
    const res = await post(h, body);
    expect(res.status).toBe(status);
    expect((await reply(res)).error).toMatch(message);
    expect(h.rotations).toEqual([]);
  });

  it("rejects other methods, content types, paths and oversized bodies", async () => {
    expect((await fetch(`${h.server.url}/alerts`)).status).toBe(405);
    expect((await post(h, "{}", { "content-type": "text/plain" })).status).toBe(415);
    expect((await fetch(`${h.server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${h.server.url}/freeze`)).status).toBe(401);
    const huge = payload({
      ...alert("HostDiskSpaceLow", "warning"),
      annotations: { x: "a".repeat(2_000_000) },
    });
    expect((await post(h, huge)).status).toBe(413);
  });

  it("answers the liveness probe without a token", async () => {
    expect((await fetch(`${h.server.url}/healthz`)).status).toBe(200);
  });
});

describe("the log-only receiver (POST /log-only)", () => {
  let h: AutomationHarness;
  beforeEach(async () => {
    h = await start();
  });
  afterEach(() => h.server.close());

  const logOnly = (body: unknown, headers: Record<string, string> = {}) =>
    post(h, body, headers, "/log-only");
  const lines = () => h.logged.filter((e) => e.event === "alert.log-only");

  it("logs each alert (info, the Watchdog) as one entry and acts on nothing", async () => {
    const watchdog = alert("Watchdog", "info");
    const spike = { ...alert("Port8000LogVolumeSpike", "info"), annotations: { summary: "x" } };
    const res = await logOnly(payload(watchdog, spike));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ logged: 2 });
    expect(lines()).toEqual([
      expect.objectContaining({
        receiver: "log-only",
        alertname: "Watchdog",
        severity: "info",
        status: "firing",
        fingerprint: watchdog.fingerprint,
        labels: watchdog.labels,
      }),
      expect.objectContaining({
        alertname: "Port8000LogVolumeSpike",
        annotations: { summary: "x" },
      }),
    ]);
    // A disk warning sent here is only logged: the log-only path never rotates or freezes.
    await logOnly(payload(alert("HostDiskSpaceLow", "critical")));
    expect([...h.rotations, ...h.snapshots]).toEqual([]);
    expect(await freeze(h)).toMatchObject({ frozen: false });
  });

  const ok = { "content-type": "application/json", authorization: `Bearer ${TOKEN}` };
  const watchdog = payload(alert("Watchdog", "info"));
  it.each([
    ["no Authorization header", { "content-type": "application/json" }, watchdog, 401],
    ["a wrong token", { ...ok, authorization: "Bearer nope" }, watchdog, 401],
    ["not JSON", { ...ok, "content-type": "text/plain" }, watchdog, 415],
    ["a wrong version", ok, { version: "3", alerts: [] }, 422],
    [
      "an alert without fingerprint",
      ok,
      payload({ ...alert("Watchdog", "info"), fingerprint: "" }),
      422,
    ],
  ])("rejects %s with %i and logs nothing", async (_, headers, body, status) => {
    const res = await fetch(`${h.server.url}/log-only`, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(status);
    expect(lines()).toEqual([]);
  });

  it("refuses GET", async () => {
    expect((await fetch(`${h.server.url}/log-only`)).status).toBe(405);
  });
});

describe("the log-only line on the process's stdout (default log)", () => {
  it("writes one JSON line per alert to stdout", async () => {
    const dir = tempDir("log-only-stdout");
    const script = join(dir, "run.ts");
    const serverModule = join(__dirname, "../../automation/server.ts");
    writeFileSync(
      script,
      `import { startAutomationServer } from ${JSON.stringify(serverModule)};
startAutomationServer({
  port: 0, token: ${JSON.stringify(TOKEN)}, alerts: ${JSON.stringify(AUTOMATION_ALERTS)}, stateDir: ${JSON.stringify(join(dir, "state"))},
  runLogRotation: async () => "", requestHeapSnapshot: async () => "",
}).then((s) => process.stderr.write("URL " + s.url + "\\n"));
`,
    );
    const child = spawn(...tsxNode(script), {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let stdout = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        let err = "";
        child.stderr.on("data", (c: Buffer) => {
          err += c.toString();
          const m = /URL (\S+)/.exec(err);
          if (m) resolve(m[1]);
        });
        child.on("exit", (code) => reject(new Error(`server exited ${code}: ${err}`)));
      });
      const res = await fetch(`${url}/log-only`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify(
          payload(alert("Watchdog", "info"), alert("Port8000LogVolumeSpike", "info")),
        ),
      });
      expect(res.status).toBe(200);
      for (let i = 0; i < 50 && stdout.split("\n").length < 3; i++)
        await new Promise((r) => setTimeout(r, 20));
      const logged = stdout
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line));
      expect(logged.map((e) => [e.event, e.alertname])).toEqual([
        ["alert.log-only", "Watchdog"],
        ["alert.log-only", "Port8000LogVolumeSpike"],
      ]);
    } finally {
      child.kill("SIGTERM");
    }
  });
});

describe("failing actions", () => {
  it("answers 502 so Alertmanager retries, and does not mark the action done", async () => {
    const h = await start({ failRotation: true });
    const res = await post(h, payload(alert("HostDiskSpaceLow", "warning")));
    expect(res.status).toBe(502);
    expect((await reply(res)).failed?.[0].error).toContain("cronjob missing");
    await h.server.close();
    const retry = await start({ stateDir: h.stateDir });
    await post(retry, payload(alert("HostDiskSpaceLow", "warning")));
    expect(retry.rotations).toHaveLength(1);
    await retry.server.close();
  });
});

async function fakeApp(initialStatus = 202) {
  const seen: string[] = [];
  let status = initialStatus;
  const app = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push(`${req.method} ${req.url} ${body}`);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
  const { port } = app.address() as { port: number };
  return {
    seen,
    port,
    answerWith: (next: number) => {
      status = next;
    },
    close: () => new Promise((r) => app.close(r)),
  };
}

describe("heap snapshot request", () => {
  it("asks the pod the alert is about (its instance), not whichever replica the Service picks", async () => {
    const service = await fakeApp();
    const pod = await fakeApp();
    const request = heapSnapshotRequest(
      `http://127.0.0.1:${service.port}/admin/heap-snapshot?format=tracemalloc`,
    );
    const leak = {
      ...alert("Port8000MemoryLeak", "warning"),
      labels: {
        alertname: "Port8000MemoryLeak",
        severity: "warning",
        instance: `127.0.0.1:${pod.port}`,
      },
    } as WebhookAlert;
    await expect(request(leak)).resolves.toContain(`127.0.0.1:${pod.port}`);
    expect(pod.seen).toEqual([
      expect.stringMatching(
        /^POST \/admin\/heap-snapshot\?format=tracemalloc .*Port8000MemoryLeak/,
      ),
    ]);
    expect(service.seen).toEqual([]);
    // No instance: the configured URL.
    const { instance: _, ...noInstance } = leak.labels;
    await request({ ...leak, labels: noInstance });
    expect(service.seen).toHaveLength(1);
    expect(pod.seen).toHaveLength(1);
    await service.close();
    await pod.close();
  });

  it.each([
    [
      "http://svc:8000/admin/heap-snapshot",
      { instance: "10.1.2.3:8000" },
      "http://10.1.2.3:8000/admin/heap-snapshot",
    ],
    ["https://svc/admin/x?y=1", { instance: "10.1.2.3:8443" }, "https://10.1.2.3:8443/admin/x?y=1"],
    ["http://svc:8000/admin/heap-snapshot", {}, "http://svc:8000/admin/heap-snapshot"],
    [
      "http://svc:8000/admin/heap-snapshot",
      { instance: "bad host:1" },
      "http://svc:8000/admin/heap-snapshot",
    ],
  ])("targets %s with %j at %s", (configured, labels, expected) => {
    const a = {
      ...alert("Port8000MemoryLeak", "warning"),
      labels: { alertname: "Port8000MemoryLeak", ...labels },
    };
    expect(heapSnapshotTarget(configured, a as WebhookAlert)).toBe(expected);
  });

  it("POSTs to the app's configured endpoint and fails on a non-2xx answer", async () => {
    const app = await fakeApp();
    const request = heapSnapshotRequest(`http://127.0.0.1:${app.port}/admin/heap-snapshot`);
    // Without an instance label: the configured endpoint.
    const { instance: _, ...labels } = alert("Port8000MemoryLeak", "warning").labels;
    const a = { ...alert("Port8000MemoryLeak", "warning"), labels } as WebhookAlert;
    await expect(request(a)).resolves.toContain("202");
    expect(app.seen[0]).toMatch(/^POST \/admin\/heap-snapshot .*Port8000MemoryLeak/);
    app.answerWith(500);
    await expect(request(a)).rejects.toThrow(/HTTP 500/);
    await app.close();
  });
});

/** Imports Node 24 cannot resolve in /app: anything but node: builtins and shipped siblings. */
function foreignImports(path: string, shipped: readonly string[]): string[] {
  const source = readFileSync(path, "utf8");
  const specifiers = [...source.matchAll(/^(?:import|export)\b[^"]*?from\s+"([^"]+)"/gm)];
  return specifiers
    .map(([, from]) => from)
    .filter((from) => !from.startsWith("node:") && !shipped.includes(from.replace(/^\.\//, "")));
}

/**
 * Type stripping runs only erasable syntax, and keeps any import not marked type-only. One
 * program for all the files (one type check, @types/node read once), problems by path.
 */
function sourceProblems(paths: string[]): Map<string, string[]> {
  const program = ts.createProgram(paths, {
    erasableSyntaxOnly: true,
    verbatimModuleSyntax: true,
    allowImportingTsExtensions: true,
    noEmit: true,
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: ["node"],
    typeRoots: [join(__dirname, "../../node_modules/@types")],
    skipLibCheck: true,
  });
  const problems = new Map(paths.map((path) => [path, [] as string[]]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const file = d.file ? d.file.fileName : "(options)";
    const list = problems.get(file) ?? [];
    list.push(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    problems.set(file, list);
  }
  return problems;
}

/** A service module with a package import, an extensionless sibling and a type as a value. */
function plantBadModule(): string {
  const planted = tempDir("service-source");
  writeFileSync(join(planted, "freeze.ts"), "export interface State {}\nexport const ON = 1;\n");
  writeFileSync(
    join(planted, "bad.ts"),
    [
      'import { State } from "./freeze.ts";',
      'import { ON } from "./freeze";',
      'import yaml from "js-yaml";',
      "export const state: State = {};",
      "export const on = [ON, yaml];",
    ].join("\n"),
  );
  return planted;
}

describe("service source (runs unbuilt on node:24-alpine)", () => {
  const dir = join(__dirname, "../../automation");
  const files = serviceModules();
  let planted: string;
  let problems: Map<string, string[]>;
  beforeAll(() => {
    planted = plantBadModule();
    problems = sourceProblems([...files.map((file) => join(dir, file)), join(planted, "bad.ts")]);
  });

  it.each(files)("%s imports only node: builtins and shipped siblings by file name", (file) => {
    expect(foreignImports(join(dir, file), files)).toEqual([]);
  });

  it("uses only erasable syntax and type-only imports of types", () => {
    expect(problems.get("(options)")).toBeUndefined();
    expect(Object.fromEntries(files.map((file) => [file, problems.get(join(dir, file))]))).toEqual(
      Object.fromEntries(files.map((file) => [file, []])),
    );
  });

  it("finds a package, an extensionless sibling and a type imported as a value", () => {
    expect(foreignImports(join(planted, "bad.ts"), ["freeze.ts", "bad.ts"])).toEqual([
      "./freeze",
      "js-yaml",
    ]);
    expect(problems.get(join(planted, "bad.ts"))).toContainEqual(
      expect.stringMatching(/'State' is a type and must be imported using a type-only import/),
    );
  });
});

describe("the controlled restart and the freeze endpoint (issue 18)", () => {
  let h: AutomationHarness;
  beforeEach(async () => {
    h = await startAutomation();
  });
  afterEach(() => h.server.close());

  it("restarts Port 8000 for a critical memory leak, not for its warning or its resolution", async () => {
    await post(h, payload(alert("Port8000MemoryLeak", "warning")));
    await post(h, payload(alert("Port8000MemoryLeak", "critical", "resolved")));
    expect(h.restarts).toEqual([]);
    const res = await post(h, payload(alert("Port8000MemoryLeak", "critical")));
    expect(res.status).toBe(200);
    expect(((await res.json()) as Reply).done).toEqual([
      expect.objectContaining({ action: "restart", result: "restarted" }),
    ]);
    expect(h.restarts).toHaveLength(1);
  });

  it("never restarts while the deploy freeze holds", async () => {
    await post(h, payload(alert("HostDiskSpaceLow", "critical")));
    const res = await post(h, payload(alert("Port8000MemoryLeak", "critical")));
    expect(((await res.json()) as Reply).done).toEqual([
      expect.objectContaining({
        action: "restart",
        result: expect.stringMatching(/^restart skipped: deploy freeze held/),
      }),
    ]);
    expect(h.restarts).toEqual([]);
  });

  it("GET /freeze answers 423 while frozen and 200 once lifted, with the state as JSON", async () => {
    expect((await freezeStatus(h)).status).toBe(200);
    await post(h, payload(alert("HostDiskSpaceLow", "critical")));
    const frozen = await freezeStatus(h);
    expect(frozen.status).toBe(423);
    expect(await frozen.json()).toMatchObject({
      frozen: true,
      reason: expect.stringContaining("node-a"),
    });
    await post(h, payload(alert("HostDiskSpaceLow", "critical", "resolved")));
    expect((await freezeStatus(h)).status).toBe(200);
  });
});
