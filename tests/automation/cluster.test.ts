import {
  alertNode,
  configMapFreezeStore,
  jobFromCronJob,
  type KubeApi,
  type KubeReply,
} from "../../components/automation/service/cluster";
import type { WebhookAlert } from "../../components/automation/service/server";
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
    [{ nodename: "node-b" }, "node-b"],
    [{ instance: "node-c:9100" }, "node-c"],
    [{ instance: "10.0.0.7:9100" }, undefined],
    [{}, undefined],
  ])("finds the node of %j: %s", (labels, node) => {
    expect(alertNode(disk(labels))).toBe(node);
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

  it("writes with a merge patch of data only", async () => {
    const { api, calls } = fakeApi({ [`PATCH ${CM}`]: { status: 200, body: {} } });
    await configMapFreezeStore(api, "monitoring", "port8000-deploy-freeze").write({
      frozen: true,
      alerts: ["a"],
      reason: "r",
      updatedAt: "t",
    });
    expect(calls[0]).toEqual({
      method: "PATCH",
      path: CM,
      contentType: "application/merge-patch+json",
      body: { data: { frozen: "true", alerts: '["a"]', reason: "r", updatedAt: "t" } },
    });
  });
});
