import { PolicyName } from "../lib/conventions";
import { S3Type } from "./archive";
import { type Report, resourcePolicy, type Subject } from "./subject";

/** Resources whose deletion loses data or everything inside them. */
export const STATEFUL_TYPES: readonly string[] = [
  ...S3Type.bucket,
  "aws:ebs/volume:Volume",
  // Deleting the key makes every object encrypted with it unreadable.
  "aws:kms/key:Key",
  "kubernetes:core/v1:Namespace",
  "kubernetes:core/v1:PersistentVolume",
  "kubernetes:core/v1:PersistentVolumeClaim",
  "kubernetes:opensearch.org/v1:OpenSearchCluster",
];

export function isStateful(subject: Pick<Subject, "type">): boolean {
  return STATEFUL_TYPES.includes(subject.type);
}

export const statefulResourcesProtected = resourcePolicy(
  {
    name: PolicyName.statefulResourcesProtected,
    description:
      "Buckets, volumes, KMS keys, the namespace and the OpenSearch cluster are declared with protect: true.",
  },
  (subject, report) => {
    if (isStateful(subject) && !subject.protect)
      report(`${subject.type} ${subject.name} holds data: declare it with protect: true`);
  },
);

/** Paths to every `persistentVolumeClaimRetentionPolicy` that deletes volumes. */
export function deletingRetentionPolicies(value: unknown, path = ""): string[] {
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => {
    const here = path ? `${path}.${key}` : key;
    if (key !== "persistentVolumeClaimRetentionPolicy")
      return deletingRetentionPolicies(child, here);
    const policy = (child ?? {}) as Record<string, unknown>;
    return ["whenDeleted", "whenScaled"]
      .filter((when) => policy[when] === "Delete")
      .map((when) => `${here}.${when}`);
  });
}

/**
 * Volume claim templates (StatefulSets, the Prometheus and Alertmanager custom resources through
 * Helm values, operators' clusters) keep their volumes: Kubernetes retains them by default, so
 * only an explicit Delete is refused.
 */
export const volumeClaimsRetained = resourcePolicy(
  {
    name: PolicyName.volumeClaimsRetained,
    description: "No persistentVolumeClaimRetentionPolicy deletes the volumes of a workload.",
  },
  (subject: Subject, report: Report) => {
    for (const path of deletingRetentionPolicies(subject.props))
      report(`${subject.type} ${subject.name}: ${path} is Delete; volumes must be retained`);
  },
);
