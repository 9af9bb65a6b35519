import { POLICY_EXEMPTION_PREFIX, PolicyName } from "../lib/conventions";
import { asArray, at, type Report, resourcePolicy, type Subject } from "./subject";

/** Every container the stack declares directly (Helm charts render theirs in the cluster). */

const POD_TEMPLATE_PATHS: Record<string, readonly string[]> = {
  "kubernetes:core/v1:Pod": [],
  "kubernetes:apps/v1:Deployment": ["spec", "template"],
  "kubernetes:apps/v1:StatefulSet": ["spec", "template"],
  "kubernetes:apps/v1:DaemonSet": ["spec", "template"],
  "kubernetes:apps/v1:ReplicaSet": ["spec", "template"],
  "kubernetes:batch/v1:Job": ["spec", "template"],
  "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template"],
};

interface Container {
  readonly name?: string;
  readonly image?: unknown;
  readonly securityContext?: Record<string, unknown>;
  readonly resources?: Record<string, unknown>;
}

interface PodTemplate {
  readonly annotations: Record<string, unknown>;
  readonly podSecurity: Record<string, unknown>;
  readonly containers: Container[];
}

export function podTemplateOf(subject: Subject): PodTemplate | undefined {
  const path = POD_TEMPLATE_PATHS[subject.type];
  if (!path) return undefined;
  const template = at(subject.props, ...path);
  const spec = at(template, "spec");
  return {
    annotations: (at(template, "metadata", "annotations") ?? {}) as Record<string, unknown>,
    podSecurity: (at(spec, "securityContext") ?? {}) as Record<string, unknown>,
    containers: ["initContainers", "containers", "ephemeralContainers"].flatMap(
      (key) => asArray(at(spec, key)) as Container[],
    ),
  };
}

/** The documented reason a pod template gives for an exemption, if any. */
export function exemptionReason(pod: PodTemplate, policy: string): string | undefined {
  const reason = pod.annotations[`${POLICY_EXEMPTION_PREFIX}${policy}`];
  return typeof reason === "string" && reason.trim() !== "" ? reason : undefined;
}

interface ContainerRule {
  readonly name: string;
  readonly description: string;
  /** Whether a pod template may opt out with a documented reason. */
  readonly exemptible: boolean;
  /** What is wrong with the container, or undefined when it complies. */
  readonly problem: (container: Container, pod: PodTemplate) => string | undefined;
}

function containerPolicy(rule: ContainerRule) {
  return resourcePolicy(rule, (subject: Subject, report: Report) => {
    const pod = podTemplateOf(subject);
    if (!pod) return;
    if (rule.exemptible && exemptionReason(pod, rule.name)) return;
    for (const container of pod.containers) {
      const problem = rule.problem(container, pod);
      if (problem) report(`${subject.name}, container ${container.name ?? "?"}: ${problem}`);
    }
  });
}

const effective = (key: string, c: Container, pod: PodTemplate) =>
  at(c.securityContext, key) ?? pod.podSecurity[key];

export const containersRunAsNonRoot = containerPolicy({
  name: PolicyName.containersNonRoot,
  description: "Containers run as a non-root user (runAsNonRoot, and no runAsUser 0).",
  exemptible: true,
  problem: (c, pod) => {
    const user = effective("runAsUser", c, pod);
    if (user === 0) return "runs as user 0";
    const nonRoot = effective("runAsNonRoot", c, pod) === true;
    return nonRoot || (typeof user === "number" && user > 0)
      ? undefined
      : "set runAsNonRoot: true (pod or container securityContext)";
  },
});

export const containersReadOnlyRootFilesystem = containerPolicy({
  name: PolicyName.containersReadOnlyRootFilesystem,
  description: "Containers mount their root filesystem read-only; writable paths are volumes.",
  exemptible: true,
  problem: (c) =>
    at(c.securityContext, "readOnlyRootFilesystem") === true
      ? undefined
      : "set securityContext.readOnlyRootFilesystem: true",
});

/** Memory is the limit that protects the node; CPU limits only throttle (requests share CPU). */
export const containersHaveResourceLimits = containerPolicy({
  name: PolicyName.containersResourceLimits,
  description: "Containers declare a memory limit.",
  exemptible: false,
  problem: (c) =>
    at(c.resources, "limits", "memory") === undefined ? "set resources.limits.memory" : undefined,
});

const DIGEST = /@sha256:[0-9a-f]{64}$/;

export const containerImagesPinnedByDigest = containerPolicy({
  name: PolicyName.containerImagesPinnedByDigest,
  description: "Container images are pinned by digest (image@sha256:…), so a tag cannot move.",
  exemptible: false,
  problem: (c) =>
    typeof c.image === "string" && DIGEST.test(c.image)
      ? undefined
      : `image ${String(c.image)} is not pinned by digest (@sha256:…)`,
});
