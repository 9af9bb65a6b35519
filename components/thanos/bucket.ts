import { toYaml } from "../../lib/serialize";
import { archiveKeyUse } from "../archive/security";
import type { StackConfig } from "../config/schema";
import { backupPrefix, objstoreConfig } from "../prometheus-backup/policy";
import { PROMETHEUS_BLOCKS_PREFIX } from "../prometheus-backup/retention";
import type { ThanosRole } from "./names";

/**
 * What each Thanos role may do in the archive bucket, as objstore configs and IAM policies.
 * Store Gateways only read; the Compactor reads, writes and deletes, in its own prefix only.
 */

export interface BlockSource {
  readonly role: Extract<ThanosRole, "store" | "store-history" | "compact">;
  readonly prefix: string;
  readonly access: "read" | "manage";
}

/** This stack's blocks (store + compactor) and, in dr, production's replicated history. */
export function blockSources(config: StackConfig): BlockSource[] {
  const own = backupPrefix(config);
  const history = config.longTermMetrics.historyFrom;
  return [
    { role: "store", prefix: own, access: "read" },
    { role: "compact", prefix: own, access: "manage" },
    ...(history
      ? [
          {
            role: "store-history" as const,
            prefix: `${PROMETHEUS_BLOCKS_PREFIX}${history}/`,
            access: "read" as const,
          },
        ]
      : []),
  ];
}

export function renderSourceObjstore(config: StackConfig, source: BlockSource): string {
  return toYaml({ ...objstoreConfig(config), prefix: source.prefix });
}

const READ = ["s3:GetObject"];
// Thanos' S3 client uploads in parts and deletes blocks the Compactor replaced or expired.
const MANAGE = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"];

export function sourcePolicy(config: StackConfig, source: BlockSource) {
  const bucket = `arn:aws:s3:::${config.archive.bucketName}`;
  const { prefix, access } = source;
  const keyActions = access === "read" ? ["kms:Decrypt"] : ["kms:GenerateDataKey", "kms:Decrypt"];
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ListOwnPrefix",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: bucket,
        Condition: { StringLike: { "s3:prefix": [prefix, `${prefix}*`] } },
      },
      {
        Sid: access === "read" ? "ReadBlocks" : "ManageBlocks",
        Effect: "Allow",
        Action: access === "read" ? READ : MANAGE,
        Resource: `${bucket}/${prefix}*`,
      },
      { ...archiveKeyUse(config, keyActions), Sid: "UseArchiveKey" },
    ],
  };
}
