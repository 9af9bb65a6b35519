import { PolicyName } from "../lib/conventions";
import { asArray, at, type Report, type Subject, stackPolicy } from "./subject";

/** Every bucket the stack declares is a log archive: KMS, versioned, private, TLS only. */

export const S3Type = {
  bucket: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
  encryption: [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  ],
  versioning: [
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
  ],
  publicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
  policy: ["aws:s3/bucketPolicy:BucketPolicy"],
  acl: ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"],
} as const;

const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];
const PUBLIC_ACCESS_FLAGS = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
];

/** A setting belongs to a bucket when its `bucket` input came from it or names it. */
function settingsOf(bucket: Subject, all: readonly Subject[], types: readonly string[]) {
  const name = bucket.props.bucket;
  return all.filter(
    (s) =>
      types.includes(s.type) &&
      ((s.propertyDependencies.bucket ?? []).includes(bucket.ref) ||
        (typeof name === "string" && s.props.bucket === name)),
  );
}

function usesCustomerKmsKey(encryption: Subject): boolean {
  const rules = asArray(encryption.props.rules);
  return (
    rules.length > 0 &&
    rules.every((rule) => {
      const byDefault = at(rule, "applyServerSideEncryptionByDefault");
      const algorithm = at(byDefault, "sseAlgorithm");
      const key = at(byDefault, "kmsMasterKeyId");
      return KMS_ALGORITHMS.includes(String(algorithm)) && typeof key === "string" && key !== "";
    })
  );
}

function isPrivate(block: Subject): boolean {
  return PUBLIC_ACCESS_FLAGS.every((flag) => block.props[flag] === true);
}

function parsePolicy(document: unknown): unknown {
  if (typeof document !== "string") return document;
  try {
    return JSON.parse(document);
  } catch {
    return undefined;
  }
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** A Deny of every S3 action to everyone whenever `aws:SecureTransport` is false. */
export function deniesInsecureTransport(document: unknown, bucketName?: string): boolean {
  return asArray(at(parsePolicy(document), "Statement")).some((statement) => {
    const principal = at(statement, "Principal");
    const everyone = principal === "*" || list(at(principal, "AWS")).includes("*");
    const allActions = list(at(statement, "Action")).some((a) => a === "s3:*" || a === "*");
    const insecure = list(at(statement, "Condition", "Bool", "aws:SecureTransport"));
    const resources = list(at(statement, "Resource")).map(String);
    const arn = bucketName ? `arn:aws:s3:::${bucketName}` : undefined;
    const coversBucket = arn
      ? resources.includes(arn) && resources.includes(`${arn}/*`)
      : resources.some((r) => r.endsWith("/*"));
    return (
      at(statement, "Effect") === "Deny" &&
      everyone &&
      allActions &&
      insecure.some((v) => v === false || v === "false") &&
      coversBucket
    );
  });
}

function checkBucket(bucket: Subject, all: readonly Subject[], report: Report): void {
  const label = `bucket ${bucket.name}`;
  const of = (types: readonly string[]) => settingsOf(bucket, all, types);
  if (!of(S3Type.encryption).some(usesCustomerKmsKey))
    report(
      `${label}: encrypt with SSE-KMS and a customer-managed key (kmsMasterKeyId)`,
      bucket.ref,
    );
  if (
    !of(S3Type.versioning).some(
      (v) => at(v.props, "versioningConfiguration", "status") === "Enabled",
    )
  )
    report(`${label}: enable versioning (BucketVersioning status Enabled)`, bucket.ref);
  if (!of(S3Type.publicAccessBlock).some(isPrivate))
    report(
      `${label}: block all public access (all four BucketPublicAccessBlock flags)`,
      bucket.ref,
    );
  for (const acl of of(S3Type.acl).filter((a) => (a.props.acl ?? "private") !== "private"))
    report(`${label}: ACL ${String(acl.props.acl)} is not private`, acl.ref);
  const name = typeof bucket.props.bucket === "string" ? bucket.props.bucket : undefined;
  if (!of(S3Type.policy).some((p) => deniesInsecureTransport(p.props.policy, name)))
    report(
      `${label}: a bucket policy must deny s3:* when aws:SecureTransport is false`,
      bucket.ref,
    );
}

export const archiveBucketHardened = stackPolicy(
  {
    name: PolicyName.archiveBucketHardened,
    description:
      "Archive buckets are encrypted with a customer-managed KMS key, versioned, private and reachable over TLS only.",
  },
  (all, report) => {
    for (const bucket of all.filter((s) => (S3Type.bucket as readonly string[]).includes(s.type)))
      checkBucket(bucket, all, report);
  },
);
