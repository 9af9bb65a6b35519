import type { StackConfig } from "../config/schema";
import { bucketArn } from "./access";

export { irsaTrustPolicy } from "../../lib/irsa";
export { archiveKeyUse } from "./access";

/**
 * The archive's guard rails as IAM documents: the customer-managed key's policy and the bucket
 * policy. The bucket policy only refuses (no TLS, or an encryption header that would put an
 * object under anything but this key); who may do what is the roles' grants (access.ts).
 */

const VERSION = "2012-10-17";
const SSE = "s3:x-amz-server-side-encryption";
const SSE_KEY = "s3:x-amz-server-side-encryption-aws-kms-key-id";
const SSE_C = "s3:x-amz-server-side-encryption-customer-algorithm";

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

const denyPuts = (
  bucket: string,
  Sid: string,
  Condition: Record<string, Record<string, string>>,
) => ({
  Sid,
  Effect: "Deny",
  Principal: "*",
  Action: "s3:PutObject",
  Resource: `${bucket}/*`,
  Condition,
});

/**
 * A put without encryption headers gets the bucket's default, this key (the writers send none:
 * docs/backups.md). Each Deny therefore needs the header present (`Null: false`): a negated
 * operator on an absent key is true, which refused every upload, multipart parts included.
 */
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
      denyPuts(bucket, "DenyPutsEncryptedOtherwise", {
        StringNotEquals: { [SSE]: "aws:kms" },
        Null: { [SSE]: "false" },
      }),
      denyPuts(bucket, "DenyPutsWithAnotherKey", {
        StringNotEquals: { [SSE_KEY]: keyArn },
        Null: { [SSE_KEY]: "false" },
      }),
      // SSE-KMS asked for without a key id is the account's aws/s3 key, not this one.
      denyPuts(bucket, "DenyPutsWithTheDefaultAwsKey", {
        Null: { [SSE]: "false", [SSE_KEY]: "true" },
      }),
      denyPuts(bucket, "DenyPutsWithCustomerKeys", { Null: { [SSE_C]: "false" } }),
    ],
  };
}
