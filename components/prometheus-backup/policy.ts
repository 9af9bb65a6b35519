import { toYaml } from "../../lib/serialize";
import { grantPolicy, type PolicyDocument, type PrefixGrant } from "../archive/access";
import type { StackConfig } from "../config/schema";
import { RELEASE_NAME } from "../prometheus/values";
import { PROMETHEUS_BLOCKS_PREFIX } from "./retention";

export { irsaTrustPolicy } from "../../lib/irsa";

/**
 * Prometheus backups (guide 3.2, DR): the chart's Thanos sidecar uploads every finished TSDB
 * block (2h) to the archive bucket under `prometheus/<environment>/`, as the Prometheus service
 * account's IRSA role; no static key exists. Pure: policies, objstore.yml and chart values.
 */

export const PROMETHEUS_SERVICE_ACCOUNT = `${RELEASE_NAME}-prometheus`;
export const OBJSTORE_SECRET_NAME = "prometheus-thanos-objstore";
export const OBJSTORE_SECRET_KEY = "objstore.yml";
export const ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";

export function backupPrefix(config: StackConfig): string {
  return `${PROMETHEUS_BLOCKS_PREFIX}${config.deployment.environment}/`;
}

export function backupRoleName(config: StackConfig): string {
  return `port8000-${config.deployment.environment}-prometheus-backup`;
}

/**
 * Thanos objstore S3 config; `aws_sdk_auth` takes the pod's web identity (IRSA). No sse_config:
 * the objstore client then sends no encryption header and the bucket's default SSE-KMS key
 * applies (docs/backups.md).
 */
export function objstoreConfig(config: StackConfig) {
  const region = config.deployment.region;
  return {
    type: "S3",
    config: {
      bucket: config.archive.bucketName,
      endpoint: `s3.${region}.amazonaws.com`,
      region,
      aws_sdk_auth: true,
    },
    prefix: backupPrefix(config),
  };
}

export function renderObjstoreConfig(config: StackConfig): string {
  return toYaml(objstoreConfig(config));
}

/**
 * Least privilege for the sidecar: list its own prefix, read and write blocks under it. No
 * delete (the shipper never deletes; expiry is the lifecycle rule's), nothing outside the prefix.
 * A Thanos Store (read) or Compactor (manage) on the same prefix is another grant of it.
 */
export function backupGrant(config: StackConfig): PrefixGrant {
  return { prefix: backupPrefix(config), access: "readWrite" };
}

export function backupPolicy(config: StackConfig): PolicyDocument {
  return grantPolicy(config, backupGrant(config));
}

/** The `prometheus:` chart values this area adds: the sidecar, and the role on the account. */
export function prometheusBackupValues(roleArn: unknown) {
  return {
    serviceAccount: { annotations: { [ROLE_ANNOTATION]: roleArn } },
    prometheusSpec: {
      thanos: {
        objectStorageConfig: {
          existingSecret: { name: OBJSTORE_SECRET_NAME, key: OBJSTORE_SECRET_KEY },
        },
      },
    },
  };
}
