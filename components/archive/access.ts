import type { StackConfig } from "../config/schema";

/**
 * Who may do what under which prefix of the archive, as IAM identity policies. Every role that
 * touches the archive (the writers of this stack, and readers or compactors added later) is one
 * grant: a prefix and an access level. The bucket policy (security.ts) only refuses; these are
 * the only allows, so a role can reach nothing but its own prefix.
 */

export type ArchiveAccess = keyof typeof ACCESS;

export interface PrefixGrant {
  /** Key prefix under the bucket, ending in "/". */
  readonly prefix: string;
  readonly access: ArchiveAccess;
}

/** A Kubernetes service account that reaches the archive through its own IAM role (IRSA). */
export interface ArchiveWriter {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly grant: PrefixGrant;
}

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string;
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

const WRITE_PARTS = ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"];
const ENCRYPT = ["kms:GenerateDataKey", "kms:Decrypt"];

/**
 * `list`: the client lists its prefix (and gets 404, not 403, for a missing key: Thanos'
 * shipper `Exists` and repository-s3 `blobExists` fail on a 403). `bucket`: bucket-level reads it makes.
 */
const ACCESS = {
  /** Read only: the dr stack's snapshot repository, a Thanos Store. */
  read: {
    objects: ["s3:GetObject"],
    list: true,
    bucket: ["s3:GetBucketLocation"],
    key: ["kms:Decrypt"],
  },
  /** Adds objects, never reads or lists: Logstash's s3 output. */
  append: { objects: WRITE_PARTS, list: false, bucket: [], key: ENCRYPT },
  /** Reads and adds, never deletes: the Thanos sidecar (expiry is the lifecycle's). */
  readWrite: { objects: ["s3:GetObject", ...WRITE_PARTS], list: true, bucket: [], key: ENCRYPT },
  /** Owns its files, deletes included: repository-s3, a Thanos Compactor. */
  manage: {
    objects: ["s3:GetObject", "s3:DeleteObject", ...WRITE_PARTS],
    list: true,
    bucket: ["s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
    key: ENCRYPT,
  },
} as const;

export const bucketArn = (name: string) => `arn:aws:s3:::${name}`;

/**
 * The archive key, used only by S3 on this bucket's behalf: S3 calls KMS with the bucket ARN as
 * encryption context (bucket keys on), so no key ARN is needed and the dr stack, which uses the
 * replica prod created, grants the same way.
 */
export function archiveKeyUse(
  config: StackConfig,
  actions: readonly string[] = ENCRYPT,
): PolicyStatement {
  return {
    Sid: "UseTheArchiveKeyThroughS3",
    Effect: "Allow",
    Action: [...actions],
    Resource: "*",
    Condition: {
      StringEquals: {
        "kms:ViaService": `s3.${config.deployment.region}.amazonaws.com`,
        "kms:EncryptionContext:aws:s3:arn": bucketArn(config.archive.bucketName),
      },
    },
  };
}

/** The identity policy of one grant on the stack's archive bucket. */
export function grantPolicy(config: StackConfig, grant: PrefixGrant): PolicyDocument {
  const bucket = bucketArn(config.archive.bucketName);
  const level = ACCESS[grant.access];
  const statements: PolicyStatement[] = [];
  if (level.bucket.length > 0)
    statements.push({
      Sid: "ReadBucket",
      Effect: "Allow",
      Action: [...level.bucket],
      Resource: bucket,
    });
  if (level.list)
    statements.push({
      Sid: "ListOwnPrefix",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: bucket,
      // IfExists: the ListBucket check S3 makes for a GET/HEAD of a missing key (404 or 403)
      // may carry no s3:prefix; a plain StringLike would then turn every miss into a 403.
      // Cost: a list without a prefix is allowed, so a lister sees other prefixes' key names
      // (never their contents); a list naming another prefix is still refused.
      Condition: { StringLikeIfExists: { "s3:prefix": [grant.prefix, `${grant.prefix}*`] } },
    });
  statements.push({
    Sid: "OwnPrefixObjects",
    Effect: "Allow",
    Action: [...level.objects],
    Resource: `${bucket}/${grant.prefix}*`,
  });
  statements.push(archiveKeyUse(config, level.key));
  return { Version: "2012-10-17", Statement: statements };
}
