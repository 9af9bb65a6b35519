import { RESTRICTED_CONTAINER } from "../../lib/security-context";
import { LOG_ROTATION_IMAGE } from "../config/images";
import type { StackConfig } from "../config/schema";
import { OPENSEARCH_CLUSTER, TIER_ATTRIBUTE, Tier } from "../logging/names";

/**
 * What the OpenSearch cluster's pods are made of: node pools, images, the user they run as,
 * and the snapshot repository's web identity.
 */

export const SNAPSHOT_SERVICE_ACCOUNT = `${OPENSEARCH_CLUSTER}-snapshots`;
/** The opensearch and opensearch-dashboards images run as this user. */
export const OPENSEARCH_UID = 1000;
/** Restricted, but with the writable root filesystem these images have always had here. */
export const NON_ROOT = {
  runAsNonRoot: true,
  runAsUser: OPENSEARCH_UID,
  runAsGroup: OPENSEARCH_UID,
  allowPrivilegeEscalation: RESTRICTED_CONTAINER.allowPrivilegeEscalation,
  capabilities: RESTRICTED_CONTAINER.capabilities,
};

export interface ClusterImages {
  readonly opensearch: string;
  readonly dashboards: string;
  /** busybox for the operator's init containers (chown, sysctl); its default is busybox:latest. */
  readonly initHelper: string;
}

/** The images of the configured version by tag; the component deploys them by digest. */
export function clusterImageTags(config: StackConfig): ClusterImages {
  const { version } = config.logging.opensearch;
  return {
    opensearch: `docker.io/opensearchproject/opensearch:${version}`,
    dashboards: `docker.io/opensearchproject/opensearch-dashboards:${version}`,
    initHelper: LOG_ROTATION_IMAGE,
  };
}

/** The image's config directory; repository-s3 may read only files below it. */
export const OPENSEARCH_CONFIG_DIR = "/usr/share/opensearch/config";
const TOKEN_DIR = "aws-iam-token";

/**
 * IRSA for repository-s3: it uses web identity only when `identity_token_file` is set, and the
 * security manager lets it read only below the config directory, so the service account's token
 * is projected there (no subPath: the kubelet must keep refreshing it). AWS_ROLE_ARN comes from
 * the EKS pod identity webhook, as the annotated service account asks.
 */
export function snapshotCredentials(config: StackConfig) {
  const region = config.deployment.region;
  return {
    additionalVolumes: [
      {
        name: TOKEN_DIR,
        path: `${OPENSEARCH_CONFIG_DIR}/${TOKEN_DIR}`,
        projected: {
          sources: [
            {
              serviceAccountToken: {
                audience: "sts.amazonaws.com",
                expirationSeconds: 86_400,
                path: "token",
              },
            },
          ],
        },
      },
    ],
    additionalConfig: {
      "s3.client.default.identity_token_file": `${TOKEN_DIR}/token`,
      "s3.client.default.region": region,
      "s3.client.default.endpoint": `s3.${region}.amazonaws.com`,
    },
  };
}
const RESOURCES = { requests: { cpu: "1", memory: "4Gi" }, limits: { cpu: "2", memory: "4Gi" } };

export function nodePool(config: StackConfig, tier: keyof typeof Tier) {
  const os = config.logging.opensearch;
  const hot = tier === "hot";
  return {
    component: tier,
    replicas: hot ? os.hotNodes : os.warmNodes,
    diskSize: hot ? config.storage.opensearch.size : os.warmDiskSize,
    // Hot nodes also hold the cluster-manager role: three of them keep a quorum.
    roles: hot ? ["cluster_manager", "data", "ingest"] : ["data"],
    jvm: "-Xms2g -Xmx2g",
    resources: RESOURCES,
    persistence: {
      pvc: { storageClass: config.cluster.storageClass, accessModes: ["ReadWriteOnce"] },
    },
    additionalConfig: { [`node.attr.${TIER_ATTRIBUTE}`]: Tier[tier] },
    pdb: { enable: true, maxUnavailable: 1 },
  };
}
