import { REPLICATED_PREFIXES } from "./lifecycle";

/**
 * The archive is restorable after a disaster (guide 3.3): prod replicates every prefix it writes
 * to the replica it owns in the standby region, through a role only S3 may assume.
 */

export const replicationTrustPolicy = {
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" },
  ],
};

/** One end of the replication: its bucket, its key, and the region its S3 calls KMS from. */
export interface ReplicationEnd {
  readonly bucketArn: string;
  readonly keyArn: string;
  readonly region: string;
}

/**
 * S3 uses each key on the role's behalf with the bucket ARN as encryption context (bucket keys
 * on both buckets): decrypting sources, encrypting replicas with the replica's own key.
 */
function keyUse(sid: string, actions: string[], end: ReplicationEnd) {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: actions,
    Resource: end.keyArn,
    Condition: {
      StringEquals: {
        "kms:ViaService": `s3.${end.region}.amazonaws.com`,
        "kms:EncryptionContext:aws:s3:arn": end.bucketArn,
      },
    },
  };
}

export function replicationPolicy(source: ReplicationEnd, replica: ReplicationEnd) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadSourceConfiguration",
        Effect: "Allow",
        Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
        Resource: [source.bucketArn],
      },
      {
        Sid: "ReadSourceVersions",
        Effect: "Allow",
        Action: [
          "s3:GetObjectVersionForReplication",
          "s3:GetObjectVersionAcl",
          "s3:GetObjectVersionTagging",
        ],
        Resource: REPLICATED_PREFIXES.map((prefix) => `${source.bucketArn}/${prefix}*`),
      },
      {
        Sid: "WriteReplicas",
        Effect: "Allow",
        Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
        Resource: REPLICATED_PREFIXES.map((prefix) => `${replica.bucketArn}/${prefix}*`),
      },
      keyUse("DecryptSources", ["kms:Decrypt"], source),
      keyUse("EncryptReplicas", ["kms:Encrypt", "kms:GenerateDataKey"], replica),
    ],
  };
}

/**
 * Provider-shaped rules, one per written prefix (each has an expiry on the replica, lifecycle.ts);
 * deletes are not propagated (a wiped prod must not wipe dr).
 */
export function replicationRules(replica: ReplicationEnd) {
  return REPLICATED_PREFIXES.map((prefix, index) => ({
    id: `port8000-archive-to-standby-${prefix.replace(/\/$/, "")}`,
    priority: index + 1,
    status: "Enabled",
    filter: { prefix },
    deleteMarkerReplication: { status: "Disabled" },
    // SSE-KMS objects replicate only when asked to, re-encrypted with the replica's own key.
    sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
    destination: {
      bucket: replica.bucketArn,
      encryptionConfiguration: { replicaKmsKeyId: replica.keyArn },
    },
  }));
}
