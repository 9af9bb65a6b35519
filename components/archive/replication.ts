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

export function replicationPolicy(sourceArn: string, destinationArn: string) {
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
    ],
  };
}

/** Provider-shaped rule: everything, deletes not propagated (a wiped prod must not wipe dr). */
export function replicationRule(destinationArn: string) {
  return {
    id: "port8000-archive-to-standby",
    status: "Enabled",
    filter: { prefix: "" },
    deleteMarkerReplication: { status: "Disabled" },
    destination: { bucket: destinationArn },
  };
}
