import type { StackConfig } from "../config/schema";

/** IAM policy documents for the archive bucket, per RBAC team (least privilege, guide 3.3). */

type ArchiveAccess = StackConfig["rbac"]["teams"][number]["aws"];

const ACTIONS: Record<ArchiveAccess, string[]> = {
  none: [],
  "archive-read": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
  "archive-restore": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:RestoreObject"],
  admin: ["s3:*"],
};

export function archivePolicy(access: ArchiveAccess, bucketArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ArchiveAccess",
        Effect: "Allow",
        Action: ACTIONS[access],
        Resource: [bucketArn, `${bucketArn}/*`],
      },
    ],
  };
}
