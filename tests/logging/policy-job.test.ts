import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";
import { APPLY_SCRIPT, policyFiles, policyJobSpec } from "../../components/opensearch/policy-job";
import { tempDir } from "../alertmanager/support";
import { configOf } from "./support";

/** The policy Job's script, run by sh and curl against a stand-in of OpenSearch and Dashboards. */

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}
type Handler = (req: Seen) => [number, string];

async function standIn(handle: Handler) {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const request = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      seen.push(request);
      const [status, answer] = handle(request);
      res.writeHead(status, { "content-type": "application/json" }).end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return { url, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

const config = configOf("prod");
const jobEnv = () => {
  const container = policyJobSpec(config, "curl@sha256:0").template.spec.containers[0];
  return Object.fromEntries(
    container.env.filter((e) => "value" in e).map((e) => [e.name, String(e.value)]),
  );
};

function runScript(url: string): Promise<{ code: number; stderr: string }> {
  const dir = tempDir("policy-job");
  for (const [name, text] of Object.entries(policyFiles(config)))
    writeFileSync(join(dir, name), text);
  const env = {
    ...jobEnv(),
    PATH: process.env.PATH ?? "",
    OPENSEARCH_URL: url,
    DASHBOARDS_URL: `${url}/dashboards`,
    OPENSEARCH_USER: "admin",
    OPENSEARCH_PASSWORD: "admin-secret",
    CA_FILE: "/dev/null",
    POLICY_DIR: dir,
    WAIT_TRIES: "3",
    WAIT_SECONDS: "1",
  };
  return new Promise((resolve) => {
    execFile("sh", ["-c", APPLY_SCRIPT], { env, timeout: 30_000 }, (error, _out, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

const POLICY_PATH = "/_plugins/_ism/policies/port8000-logs-lifecycle";
const ok: [number, string] = [200, "{}"];

describe("the ISM policy and index pattern Job", () => {
  it("waits for a starting cluster, then creates the policy and the global index pattern", async () => {
    let health = 0;
    const api = await standIn((req) => {
      if (req.url === "/_cluster/health") return ++health < 3 ? [503, "{}"] : ok;
      if (req.method === "GET" && req.url === POLICY_PATH) return [404, '{"status":404}'];
      return ok;
    });
    const run = await runScript(api.url);
    await api.close();
    expect([run.code, health]).toEqual([0, 3]);
    const gets = api.seen.filter((r) => r.method === "GET" && r.url === POLICY_PATH);
    expect(gets).toHaveLength(1);
    const put = api.seen.find((r) => r.method === "PUT");
    expect([put?.url, JSON.parse(put?.body ?? "{}")]).toEqual([
      POLICY_PATH,
      JSON.parse(policyFiles(config)["ism-policy.json"]),
    ]);
    const pattern = api.seen.find((r) => r.url.includes("/api/saved_objects/"));
    expect(pattern?.url).toBe(
      "/dashboards/api/saved_objects/index-pattern/port8000-*?overwrite=true",
    );
    expect(pattern?.headers).toMatchObject({
      "osd-xsrf": "true",
      securitytenant: "global",
      authorization: `Basic ${Buffer.from("admin:admin-secret").toString("base64")}`,
    });
  }, 30_000);

  it("updates an existing policy at its seq_no and primary_term", async () => {
    const current = JSON.stringify({ _id: "x", _seq_no: 7, _primary_term: 2, policy: {} });
    const api = await standIn((req) =>
      req.method === "GET" && req.url === POLICY_PATH ? [200, current] : ok,
    );
    const run = await runScript(api.url);
    await api.close();
    expect(run.code).toBe(0);
    expect(api.seen.find((r) => r.method === "PUT")?.url).toBe(
      `${POLICY_PATH}?if_seq_no=7&if_primary_term=2`,
    );
  }, 30_000);

  const CHANGE_PATH = "/_plugins/_ism/change_policy/port8000-*";
  const ADD_PATH = "/_plugins/_ism/add/port8000-*";

  it("moves the existing port8000-* indices onto the new policy version (ism_template covers only new ones)", async () => {
    const current = JSON.stringify({ _id: "x", _seq_no: 7, _primary_term: 2, policy: {} });
    const api = await standIn((req) => {
      if (req.method === "GET" && req.url === POLICY_PATH) return [200, current];
      if (req.url === ADD_PATH)
        return [
          200,
          '{"updated_indices":0,"failures":true,"failed_indices":[{"index_name":"port8000-2026.12.01","reason":"This index already has a policy, use the update policy API to update index policies"}]}',
        ];
      if (req.url === CHANGE_PATH)
        return [200, '{"updated_indices":3,"failures":false,"failed_indices":[]}'];
      return ok;
    });
    const run = await runScript(api.url);
    await api.close();
    expect(run.code).toBe(0);
    const order = api.seen.map((r) => `${r.method} ${r.url.split("?")[0]}`);
    const put = order.indexOf(`PUT ${POLICY_PATH}`);
    // Unmanaged indices get the policy; managed ones move to its new version.
    expect(order.indexOf(`POST ${ADD_PATH}`)).toBeGreaterThan(put);
    expect(order.indexOf(`POST ${CHANGE_PATH}`)).toBeGreaterThan(order.indexOf(`POST ${ADD_PATH}`));
    for (const path of [ADD_PATH, CHANGE_PATH])
      expect(JSON.parse(api.seen.find((r) => r.url === path)?.body ?? "{}")).toEqual({
        policy_id: "port8000-logs-lifecycle",
      });
  }, 30_000);

  it("fails when an existing index cannot move to the new policy, so the Job retries", async () => {
    const api = await standIn((req) => {
      if (req.method === "GET" && req.url === POLICY_PATH) return [404, "{}"];
      if (req.url === CHANGE_PATH)
        return [
          200,
          '{"updated_indices":1,"failures":true,"failed_indices":[{"index_name":"port8000-2026.12.02","reason":"boom"}]}',
        ];
      return ok;
    });
    const run = await runScript(api.url);
    await api.close();
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("port8000-2026.12.02");
  }, 30_000);

  it("treats a cluster with no port8000-* index yet as done", async () => {
    const api = await standIn((req) => {
      if (req.method === "GET" && req.url === POLICY_PATH) return [404, "{}"];
      if (req.url === ADD_PATH || req.url === CHANGE_PATH)
        return [404, '{"error":{"type":"index_not_found_exception"},"status":404}'];
      return ok;
    });
    const run = await runScript(api.url);
    await api.close();
    expect(run.code).toBe(0);
    expect(api.seen.some((r) => r.url === CHANGE_PATH)).toBe(true);
  }, 30_000);

  it.each([
    ["a refused read", 403, "GET"],
    ["a conflicting write", 409, "PUT"],
  ])(
    "fails on %s, so the Job retries",
    async (_, status, method) => {
      const api = await standIn((req) => {
        if (req.url.startsWith(POLICY_PATH) && req.method === method)
          return [status, '{"error":"no"}'];
        if (req.url === POLICY_PATH) return [404, "{}"];
        return ok;
      });
      const run = await runScript(api.url);
      await api.close();
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(method === "GET" ? `HTTP ${status}` : "409");
      expect(api.seen.some((r) => r.url.includes("/api/saved_objects/"))).toBe(false);
    },
    30_000,
  );
});
