import type { WebhookAlert } from "../../automation/alertmanager-webhook";
import {
  alertNode,
  configMapFreezeStore,
  FREEZE_UPDATE_ATTEMPTS,
  jobFromCronJob,
  type KubeApi,
  type KubeReply,
} from "../../automation/cluster";
import { applyFreeze, type FreezeState } from "../../automation/freeze";
import { logRotationJobSpec } from "../../components/automation/workload";
import { stackConfig } from "../alertmanager/support";

interface Call {
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
}

/** A Kubernetes API stand-in answering from a table of "METHOD path" → reply. */
function fakeApi(replies: Record<string, KubeReply>): { api: KubeApi; calls: Call[] } {
  const calls: Call[] = [];
  const api: KubeApi = {
    call: async (method, path, body, contentType) => {
      calls.push({ method, path, body, contentType });
      const reply = replies[`${method} ${path}`];
      if (!reply) throw new Error(`unexpected ${method} ${path}`);
      return reply;
    },
  };
  return { api, calls };
}

const disk = (labels: Record<string, string> = {}): WebhookAlert => ({
  status: "firing",
  labels: { alertname: "HostDiskSpaceLow", severity: "warning", ...labels },
  annotations: {},
  startsAt: "2025-10-25T04:00:00Z",
  fingerprint: "f00d",
});

const CRON = "/apis/batch/v1/namespaces/monitoring/cronjobs/port8000-log-rotation";
const JOBS = "/apis/batch/v1/namespaces/monitoring/jobs";
const cronJob = {
  status: 200,
  body: { spec: { jobTemplate: { spec: logRotationJobSpec(stackConfig("prod")) } } },
};

describe("log rotation through the Kubernetes API", () => {
  it("creates a Job from the CronJob's template, pinned to the alert's node", async () => {
    const { api, calls } = fakeApi({
      [`GET ${CRON}`]: cronJob,
      [`POST ${JOBS}`]: { status: 201, body: {} },
    });
    const result = await jobFromCronJob(
      api,
      "monitoring",
      "port8000-log-rotation",
    )(disk({ instance: "node-a:9100" }));
    const job = calls[1].body as {
      metadata: { name: string };
      spec: { template: { spec: Record<string, unknown> } };
    };
    expect(job.metadata.name).toMatch(/^port8000-log-rotation-[0-9a-f]{10}$/);
    expect(job.spec.template.spec.nodeSelector).toEqual({ "kubernetes.io/hostname": "node-a" });
    expect(job.spec.template.spec.containers).toEqual(
      logRotationJobSpec(stackConfig("prod")).template.spec.containers,
    );
    expect(result).toContain("created on node-a");
  });

  it("names the Job after the notification, so a second replica gets 409 and rotates nothing more", async () => {
    const { api, calls } = fakeApi({
      [`GET ${CRON}`]: cronJob,
      [`POST ${JOBS}`]: { status: 409, body: {} },
    });
    const rotate = jobFromCronJob(api, "monitoring", "port8000-log-rotation");
    expect(await rotate(disk())).toContain("already exists");
    await rotate(disk());
    const names = calls
      .filter((c) => c.method === "POST")
      .map((c) => (c.body as { metadata: { name: string } }).metadata.name);
    expect(new Set(names).size).toBe(1);
  });

  it("fails loudly when the CronJob is missing", async () => {
    const { api } = fakeApi({ [`GET ${CRON}`]: { status: 404, body: { message: "not found" } } });
    await expect(
      jobFromCronJob(api, "monitoring", "port8000-log-rotation")(disk()),
    ).rejects.toThrow(/read CronJob: HTTP 404/);
  });

  it.each([
    [{ node: "node-d", instance: "10.0.0.7:9100" }, "node-d"],
    [{ node: "node-e", nodename: "node-e.ec2.internal", instance: "10.0.0.8:9100" }, "node-e"],
    [{ nodename: "node-b" }, "node-b"],
    [{ instance: "node-c:9100" }, "node-c"],
    [{ instance: "10.0.0.7:9100" }, undefined],
    [{}, undefined],
  ])("finds the node of %j: %s", (labels, node) => {
    expect(alertNode(disk(labels))).toBe(node);
  });

  it("pins the Job to the node named by the node-exporter target's `node` label", async () => {
    const { api, calls } = fakeApi({
      [`GET ${CRON}`]: cronJob,
      [`POST ${JOBS}`]: { status: 201, body: {} },
    });
    // In the cluster node-exporter's instance is IP:9100: only the `node` label names the node.
    await jobFromCronJob(
      api,
      "monitoring",
      "port8000-log-rotation",
    )(disk({ instance: "10.0.0.7:9100", node: "ip-10-0-0-7.ec2.internal" }));
    const job = calls[1].body as { spec: { template: { spec: Record<string, unknown> } } };
    expect(job.spec.template.spec.nodeSelector).toEqual({
      "kubernetes.io/hostname": "ip-10-0-0-7.ec2.internal",
    });
  });
});

describe("deploy freeze ConfigMap", () => {
  const CM = "/api/v1/namespaces/monitoring/configmaps/port8000-deploy-freeze";

  it("reads the state the program's gate reads", async () => {
    const { api } = fakeApi({
      [`GET ${CM}`]: {
        status: 200,
        body: { data: { frozen: "true", alerts: '["a"]', reason: "r", updatedAt: "t" } },
      },
    });
    expect(await configMapFreezeStore(api, "monitoring", "port8000-deploy-freeze").read()).toEqual({
      frozen: true,
      alerts: ["a"],
      reason: "r",
      updatedAt: "t",
    });
  });

  /**
   * The API server's optimistic concurrency: every write bumps resourceVersion, a PUT carrying
   * a stale one gets 409. Reads yield first, so two replicas both read before either writes.
   */
  function liveConfigMap(initial: Record<string, string>) {
    let version = 1;
    let data = { ...initial };
    const puts: { resourceVersion: unknown; status: number }[] = [];
    const api: KubeApi = {
      call: async (method, path, body) => {
        if (path !== CM) throw new Error(`unexpected ${method} ${path}`);
        await new Promise((resolve) => setImmediate(resolve));
        if (method === "GET") {
          return {
            status: 200,
            body: {
              apiVersion: "v1",
              kind: "ConfigMap",
              metadata: { name: "port8000-deploy-freeze", resourceVersion: String(version) },
              data: { ...data },
            },
          };
        }
        if (method !== "PUT") throw new Error(`unexpected ${method} ${path}`);
        const sent = body as {
          metadata: { resourceVersion?: string };
          data: Record<string, string>;
        };
        const status = sent.metadata.resourceVersion === String(version) ? 200 : 409;
        puts.push({ resourceVersion: sent.metadata.resourceVersion, status });
        if (status === 409) return { status, body: { reason: "Conflict" } };
        version += 1;
        data = { ...sent.data };
        return { status, body: {} };
      },
    };
    return { api, puts, data: () => data };
  }

  const critical = (fingerprint: string): WebhookAlert => ({
    ...disk({ severity: "critical", instance: `${fingerprint}:9100` }),
    fingerprint,
  });

  it("two replicas freezing at once both land: the stale PUT gets 409 and is redone", async () => {
    const live = liveConfigMap({ frozen: "false", alerts: "[]", reason: "", updatedAt: "" });
    const replica1 = configMapFreezeStore(live.api, "monitoring", "port8000-deploy-freeze");
    const replica2 = configMapFreezeStore(live.api, "monitoring", "port8000-deploy-freeze");
    await Promise.all([
      replica1.update((s: FreezeState) => applyFreeze(s, critical("host-a"), true)),
      replica2.update((s: FreezeState) => applyFreeze(s, critical("host-b"), true)),
    ]);
    expect(JSON.parse(live.data().alerts).sort()).toEqual(["host-a", "host-b"]);
    expect(live.data().frozen).toBe("true");
    // Every PUT carried the version it read; exactly one of the racing writes was refused.
    expect(live.puts.map((p) => p.resourceVersion)).toEqual(["1", "1", "2"]);
    expect(live.puts.map((p) => p.status)).toEqual([200, 409, 200]);
  });

  it("a lift racing a freeze keeps the freeze of the other host", async () => {
    const live = liveConfigMap({
      frozen: "true",
      alerts: '["host-a"]',
      reason: "HostDiskSpaceLow critical on host-a:9100",
      updatedAt: "t",
    });
    const store = () => configMapFreezeStore(live.api, "monitoring", "port8000-deploy-freeze");
    await Promise.all([
      store().update((s) => applyFreeze(s, critical("host-a"), false)),
      store().update((s) => applyFreeze(s, critical("host-b"), true)),
    ]);
    expect(live.data()).toMatchObject({ frozen: "true", alerts: '["host-b"]' });
  });

  it(`gives up after ${FREEZE_UPDATE_ATTEMPTS} conflicting attempts, loudly`, async () => {
    const { api, calls } = fakeApi({
      [`GET ${CM}`]: {
        status: 200,
        body: { metadata: { resourceVersion: "7" }, data: { frozen: "false", alerts: "[]" } },
      },
      [`PUT ${CM}`]: { status: 409, body: { reason: "Conflict" } },
    });
    const store = configMapFreezeStore(api, "monitoring", "port8000-deploy-freeze");
    await expect(store.update((s) => applyFreeze(s, critical("host-a"), true))).rejects.toThrow(
      /still conflicting after 5 attempts/,
    );
    expect(calls.filter((c) => c.method === "PUT")).toHaveLength(FREEZE_UPDATE_ATTEMPTS);
    expect(calls.filter((c) => c.method === "PUT").map((c) => c.body)).toContainEqual(
      expect.objectContaining({ metadata: { resourceVersion: "7" } }),
    );
  });

  it("fails on a missing ConfigMap instead of writing blind", async () => {
    const { api } = fakeApi({ [`GET ${CM}`]: { status: 404, body: { message: "not found" } } });
    await expect(
      configMapFreezeStore(api, "monitoring", "port8000-deploy-freeze").update((s) => s),
    ).rejects.toThrow(/read freeze: HTTP 404/);
  });
});
