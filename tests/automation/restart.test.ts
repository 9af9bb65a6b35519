import type { WebhookAlert } from "../../automation/alertmanager-webhook";
import type { KubeApi, KubeReply } from "../../automation/cluster";
import { RESTARTED_AT, restartFromEnv, rolloutRestart } from "../../automation/restart";

/** The controlled restart's Kubernetes side: what it patches, and when it refuses to. */

interface Call {
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
}

const PATH = "/apis/apps/v1/namespaces/port8000/deployments/port8000";
const NOW = new Date("2026-01-10T12:00:00Z");

function fakeApi(deployment: object, patchStatus = 200): { api: KubeApi; calls: Call[] } {
  const calls: Call[] = [];
  const api: KubeApi = {
    call: async (method, path, body, contentType): Promise<KubeReply> => {
      calls.push({ method, path, body, contentType });
      if (path !== PATH) throw new Error(`unexpected ${method} ${path}`);
      if (method === "GET") return { status: 200, body: deployment as Record<string, unknown> };
      if (method === "PATCH") return { status: patchStatus, body: {} };
      throw new Error(`unexpected ${method}`);
    },
  };
  return { api, calls };
}

const leak: WebhookAlert = {
  status: "firing",
  labels: { alertname: "Port8000MemoryLeak", severity: "critical", instance: "10.0.0.7:8000" },
  annotations: {},
  startsAt: "2026-01-10T11:50:00Z",
  fingerprint: "beef",
};

const deploymentWith = (annotations?: Record<string, string>) => ({
  metadata: { name: "port8000", resourceVersion: "4711" },
  spec: {
    template: {
      metadata: { labels: { app: "port8000" }, ...(annotations ? { annotations } : {}) },
    },
  },
});

const HOUR = 3_600_000;

describe("rollout restart of the Port 8000 Deployment", () => {
  it("stamps restartedAt on the pod template, conditional on the version it read", async () => {
    const { api, calls } = fakeApi(deploymentWith({ "prometheus.io/scrape": "true" }));
    const result = await rolloutRestart(api, "port8000", "port8000", HOUR, () => NOW)(leak);
    expect(result).toMatch(/^rollout restart of port8000\/port8000 at 2026-01-10T12:00:00.000Z/);
    const patch = calls.find((c) => c.method === "PATCH");
    expect(patch?.contentType).toBe("application/json-patch+json");
    expect(patch?.body).toEqual([
      { op: "test", path: "/metadata/resourceVersion", value: "4711" },
      {
        op: "add",
        path: "/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt",
        value: "2026-01-10T12:00:00.000Z",
      },
    ]);
  });

  it("adds the annotations map when the template has none", async () => {
    const { api, calls } = fakeApi(deploymentWith());
    await rolloutRestart(api, "port8000", "port8000", HOUR, () => NOW)(leak);
    expect((calls[1].body as object[])[1]).toEqual({
      op: "add",
      path: "/spec/template/metadata/annotations",
      value: { [RESTARTED_AT]: "2026-01-10T12:00:00.000Z" },
    });
  });

  it("restarts at most once per window: a restart 59 minutes ago blocks, 61 minutes ago does not", async () => {
    const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();
    const recent = fakeApi(deploymentWith({ [RESTARTED_AT]: at(59) }));
    const skipped = await rolloutRestart(recent.api, "port8000", "port8000", HOUR, () => NOW)(leak);
    expect(skipped).toMatch(/^restart skipped: .* within the 3600s window/);
    expect(recent.calls.map((c) => c.method)).toEqual(["GET"]);
    const older = fakeApi(deploymentWith({ [RESTARTED_AT]: at(61) }));
    await rolloutRestart(older.api, "port8000", "port8000", HOUR, () => NOW)(leak);
    expect(older.calls.map((c) => c.method)).toEqual(["GET", "PATCH"]);
  });

  it("a replica that lost the race (the test op fails) restarts nothing more and says so", async () => {
    const { api } = fakeApi(deploymentWith(), 422);
    const result = await rolloutRestart(api, "port8000", "port8000", HOUR, () => NOW)(leak);
    expect(result).toMatch(/^restart skipped: .*another replica/);
  });

  it("fails loudly when the API refuses (RBAC): Alertmanager retries the notification", async () => {
    const { api } = fakeApi(deploymentWith(), 403);
    await expect(
      rolloutRestart(api, "port8000", "port8000", HOUR, () => NOW)(leak),
    ).rejects.toThrow(/HTTP 403/);
  });

  it("is configured from the Deployment's environment, and only when it names a target", () => {
    const { api } = fakeApi(deploymentWith());
    expect(restartFromEnv({}, api)).toBeUndefined();
    expect(
      typeof restartFromEnv({ RESTART_NAMESPACE: "port8000", RESTART_DEPLOYMENT: "port8000" }, api),
    ).toBe("function");
    expect(() =>
      restartFromEnv(
        { RESTART_NAMESPACE: "a", RESTART_DEPLOYMENT: "b", RESTART_COOLDOWN_SECONDS: "0" },
        api,
      ),
    ).toThrow(/RESTART_COOLDOWN_SECONDS/);
  });
});
