import type { StackConfig } from "../config/schema";
import { ArchivePrefix } from "../logging/names";

export { irsaTrustPolicy } from "../../lib/irsa";

/**
 * The archive's access rules as IAM documents: the customer-managed key's policy, the bucket
 * policy (TLS only, SSE-KMS with this key only) and the least-privilege writers' policies
 * (Logstash writes events, OpenSearch writes snapshots), each assumed through IRSA.
 */

const VERSION = "2012-10-17";
const bucketArn = (name: string) => `arn:aws:s3:::${name}`;

export function accountOf(config: StackConfig): string {
  const arn = config.cluster.oidcProviderArn;
  const account = arn?.split(":")[4];
  if (!account)
    throw new Error("cluster.oidcProviderArn: needed to name the archive key's account");
  return account;
}

/** Key administration stays with the account (IAM decides who may use the key). */
export function kmsKeyPolicy(config: StackConfig) {
  return {
    Version: VERSION,
    Statement: [
      {
        Sid: "AccountAdministersTheKey",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${accountOf(config)}:root` },
        Action: "kms:*",
        Resource: "*",
      },
    ],
  };
}

export function bucketPolicy(bucketName: string, keyArn: string) {
  const bucket = bucketArn(bucketName);
  return {
    Version: VERSION,
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucket, `${bucket}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "DenyPutsNotEncryptedWithKms",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: `${bucket}/*`,
        Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption": "aws:kms" } },
      },
      {
        Sid: "DenyPutsWithAnotherKey",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: `${bucket}/*`,
        Condition: {
          StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn },
        },
      },
    ],
  };
}

/**
 * Use of the archive's key through S3 only, for this bucket only: S3 calls KMS with the bucket
 * ARN as encryption context (bucket keys on), so no key ARN is needed, and the dr stack, which
 * uses the replica prod created, grants the same way.
 */
export function archiveKeyUse(
  config: StackConfig,
  actions: string[] = ["kms:GenerateDataKey", "kms:Decrypt"],
) {
  return {
    Sid: "UseTheArchiveKeyThroughS3",
    Effect: "Allow",
    Action: actions,
    Resource: "*",
    Condition: {
      StringEquals: {
        "kms:ViaService": `s3.${config.deployment.region}.amazonaws.com`,
        "kms:EncryptionContext:aws:s3:arn": bucketArn(config.archive.bucketName),
      },
    },
  };
}

/** Logstash only adds objects under logs/ (events and dead letters); it never reads or deletes. */
export function logstashWriterPolicy(config: StackConfig) {
  const bucket = bucketArn(config.archive.bucketName);
  return {
    Version: VERSION,
    Statement: [
      {
        Sid: "WriteLogEvents",
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
        Resource: `${bucket}/${ArchivePrefix.events}*`,
      },
      archiveKeyUse(config),
    ],
  };
}

/** repository-s3 lists, reads, writes and deletes its own files under snapshots/ only. */
export function snapshotWriterPolicy(config: StackConfig) {
  const bucket = bucketArn(config.archive.bucketName);
  return {
    Version: VERSION,
    Statement: [
      {
        Sid: "LocateBucket",
        Effect: "Allow",
        Action: ["s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
        Resource: bucket,
      },
      {
        Sid: "ListSnapshotPrefix",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: bucket,
        Condition: { StringLike: { "s3:prefix": [`${ArchivePrefix.snapshots}*`] } },
      },
      {
        Sid: "ManageSnapshotFiles",
        Effect: "Allow",
        Action: [
          "s3:GetObject",
          "s3:PutObject",
          "s3:DeleteObject",
          "s3:AbortMultipartUpload",
          "s3:ListMultipartUploadParts",
        ],
        Resource: `${bucket}/${ArchivePrefix.snapshots}*`,
      },
      archiveKeyUse(config),
    ],
  };
}

/** Key prefix of the monthly review (components/ops-schedule): the guide's metrics/monthly/. */
export const MONTHLY_REPORTS_PREFIX = "metrics/monthly/";

/** The scheduled checklists put the monthly report and charts under metrics/monthly/ only. */
export function opsReportsWriterPolicy(config: StackConfig) {
  return {
    Version: VERSION,
    Statement: [
      {
        Sid: "WriteMonthlyReports",
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: `${bucketArn(config.archive.bucketName)}/${MONTHLY_REPORTS_PREFIX}*`,
      },
      archiveKeyUse(config, ["kms:GenerateDataKey"]),
    ],
  };
}
