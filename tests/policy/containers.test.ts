import { POLICY_EXEMPTION_PREFIX } from "../../lib/conventions";
import {
  containerImagesPinnedByDigest,
  containersHaveResourceLimits,
  containersReadOnlyRootFilesystem,
  containersRunAsNonRoot,
} from "../../policy/containers";
import { messages, resource } from "./support";

const DIGEST = `node@sha256:${"a".repeat(64)}`;
const hardened = {
  name: "app",
  image: DIGEST,
  resources: { limits: { memory: "128Mi" } },
  securityContext: { readOnlyRootFilesystem: true },
};

function deployment(container: object, pod: object = { runAsNonRoot: true }, annotations = {}) {
  return resource("kubernetes:apps/v1:Deployment", "deploy", {
    spec: {
      template: {
        metadata: { annotations },
        spec: { securityContext: pod, containers: [container] },
      },
    },
  });
}

function cronJob(container: object) {
  return resource("kubernetes:batch/v1:CronJob", "cron", {
    spec: {
      jobTemplate: {
        spec: {
          template: { spec: { securityContext: { runAsUser: 1000 }, containers: [container] } },
        },
      },
    },
  });
}

describe("container policies", () => {
  it("pass a hardened container in a Deployment and in a CronJob", async () => {
    for (const policy of [
      containersRunAsNonRoot,
      containersReadOnlyRootFilesystem,
      containersHaveResourceLimits,
      containerImagesPinnedByDigest,
    ]) {
      expect(await messages(policy, [deployment(hardened), cronJob(hardened)])).toEqual([]);
    }
  });

  it("refuse a container that may run as root, or runs as user 0", async () => {
    expect(await messages(containersRunAsNonRoot, [deployment(hardened, {})])).toEqual([
      expect.stringContaining("runAsNonRoot"),
    ]);
    const root = { ...hardened, securityContext: { runAsUser: 0 } };
    expect(await messages(containersRunAsNonRoot, [deployment(root)])).toEqual([
      "deploy, container app: runs as user 0",
    ]);
  });

  it("refuse a writable root filesystem", async () => {
    const writable = { ...hardened, securityContext: {} };
    expect(await messages(containersReadOnlyRootFilesystem, [cronJob(writable)])).toEqual([
      "cron, container app: set securityContext.readOnlyRootFilesystem: true",
    ]);
  });

  it("refuse a container without a memory limit", async () => {
    const unlimited = { ...hardened, resources: { requests: { memory: "64Mi" } } };
    expect(await messages(containersHaveResourceLimits, [deployment(unlimited)])).toEqual([
      "deploy, container app: set resources.limits.memory",
    ]);
  });

  it("refuse an image by tag only", async () => {
    const tagged = { ...hardened, image: "node:24-alpine" };
    expect(await messages(containerImagesPinnedByDigest, [deployment(tagged)])).toEqual([
      expect.stringContaining("node:24-alpine is not pinned by digest"),
    ]);
  });

  it("honour a documented exemption, only for the policy it names and only with a reason", async () => {
    const root = { ...hardened, securityContext: { runAsUser: 0, readOnlyRootFilesystem: true } };
    const key = `${POLICY_EXEMPTION_PREFIX}${containersRunAsNonRoot.name}`;
    const exempt = deployment(root, {}, { [key]: "rotates root-owned files on the node" });
    expect(await messages(containersRunAsNonRoot, [exempt])).toEqual([]);
    expect(
      await messages(containersRunAsNonRoot, [deployment(root, {}, { [key]: " " })]),
    ).toHaveLength(1);
    const digestKey = `${POLICY_EXEMPTION_PREFIX}${containerImagesPinnedByDigest.name}`;
    const tagged = deployment({ ...hardened, image: "node:24" }, {}, { [digestKey]: "because" });
    expect(await messages(containerImagesPinnedByDigest, [tagged])).toHaveLength(1);
  });
});
