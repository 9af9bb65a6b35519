/**
 * The archive is restorable after a disaster (guide 3.3): prod replicates every object to the
 * replica it owns in the standby region, through a role only S3 may assume.
 */

export const replicationTrustPolicy = {
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" },
  ],
};

/** Keys the replication role decrypts sources with and encrypts replicas with (SSE-KMS). */
export interface ReplicationKeys {
  readonly source: string;
  readonly replica: string;
}

export function replicationPolicy(
  sourceArn: string,
  destinationArn: string,
  keys: ReplicationKeys,
) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadSourceConfiguration",
        Effect: "Allow",
        Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
        Resource: [sourceArn],
      },
      {
        Sid: "ReadSourceVersions",
        Effect: "Allow",
        Action: [
          "s3:GetObjectVersionForReplication",
          "s3:GetObjectVersionAcl",
          "s3:GetObjectVersionTagging",
        ],
        Resource: [`${sourceArn}/*`],
      },
      {
        Sid: "WriteReplicas",
        Effect: "Allow",
        Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
        Resource: [`${destinationArn}/*`],
      },
      { Sid: "DecryptSources", Effect: "Allow", Action: "kms:Decrypt", Resource: keys.source },
      { Sid: "EncryptReplicas", Effect: "Allow", Action: "kms:Encrypt", Resource: keys.replica },
    ],
  };
}

/** Provider-shaped rule: everything, deletes not propagated (a wiped prod must not wipe dr). */
export function replicationRule(destinationArn: string, replicaKeyArn: string) {
  return {
    id: "port8000-archive-to-standby",
    status: "Enabled",
    filter: { prefix: "" },
    deleteMarkerReplication: { status: "Disabled" },
    // SSE-KMS objects replicate only when asked to, re-encrypted with the replica's own key.
    sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
    destination: {
      bucket: destinationArn,
      encryptionConfiguration: { replicaKmsKeyId: replicaKeyArn },
    },
  };
}
