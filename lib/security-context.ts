/**
 * The restricted security contexts of every workload this program runs (Kubernetes' Pod
 * Security Standard "restricted"). A workload that needs more (root for the node's files, a
 * writable root filesystem) spreads these and overrides the key it needs, where it says why.
 */

/** The container runtime's default seccomp profile, on every pod. */
export const RUNTIME_DEFAULT_SECCOMP = { seccompProfile: { type: "RuntimeDefault" } };

/** A container that cannot gain privileges, holds no capability and writes only to volumes. */
export const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
};

export interface PodUser {
  readonly user: number;
  /** Primary group; the image's own when unset. */
  readonly group?: number;
  /** Group owning the pod's volumes; unchanged when unset. */
  readonly fsGroup?: number;
}

/** A pod whose containers run as a non-root user, with the runtime's default seccomp profile. */
export function restrictedPod({ user, group, fsGroup }: PodUser) {
  return {
    runAsNonRoot: true,
    runAsUser: user,
    ...(group === undefined ? {} : { runAsGroup: group }),
    ...(fsGroup === undefined ? {} : { fsGroup }),
    ...RUNTIME_DEFAULT_SECCOMP,
  };
}
