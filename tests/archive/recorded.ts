import type { ProgramRun, RecordedResource } from "../../scripts/mock-runtime";
import { ofType } from "../support/program";
import type { Policy } from "./engine";

/**
 * The archive's IAM documents as the program declares them (recorded by the mocked run): bucket
 * and key policies, and every role with its trust and inline policies. The mocks give all ARNs
 * account 000000000000 and region us-east-1; they are placed in the stack's account and each
 * key in its own region, as AWS would name them.
 */

const MOCK_ACCOUNT = "000000000000";

export interface ArchiveBucketFacts {
  readonly name: string;
  readonly arn: string;
  readonly region: string;
  readonly keyArn: string;
  /** The key of the bucket's default encryption (SSE-KMS), as declared. */
  readonly defaultKeyArn: string | undefined;
  /**
   * The `aws:s3:arn` encryption context S3 gives KMS for an object: the bucket's ARN with S3
   * Bucket Keys on, the object's ARN without (AWS S3 user guide, "Encryption context").
   */
  readonly keyContextFor: (objectKey: string) => string;
  readonly bucketPolicy: Policy;
  readonly keyPolicy: Policy;
}

export interface RoleFacts {
  readonly name: string;
  readonly arn: string;
  readonly trust: Policy;
  readonly policies: Policy[];
}

export interface RecordedArchive {
  readonly account: string;
  readonly buckets: Record<string, ArchiveBucketFacts>;
  readonly roles: RoleFacts[];
}

const json = (value: unknown): Policy => JSON.parse(String(value));

function realArns(run: ProgramRun, account: string, region: string): string {
  let text = JSON.stringify(run.resources);
  for (const key of ofType(run, "aws:kms/key:Key")) {
    const mock = `arn:aws:kms:us-east-1:${MOCK_ACCOUNT}:key/${key.name}-key-id`;
    const real = `arn:aws:kms:${key.inputs.region ?? region}:${account}:key/${key.name}-key-id`;
    text = text.split(mock).join(real);
  }
  return text.split(`arn:aws:iam::${MOCK_ACCOUNT}:`).join(`arn:aws:iam::${account}:`);
}

function bucketFacts(
  resources: RecordedResource[],
  bucket: RecordedResource,
  account: string,
  region: string,
): ArchiveBucketFacts {
  const part = (type: string) =>
    resources.find((r) => r.type === type && r.inputs.bucket === `${bucket.name}-id`);
  const keyName = bucket.name.replace(/-bucket$/, "-key");
  const key = resources.find((r) => r.type === "aws:kms/key:Key" && r.name === keyName);
  const policy = part("aws:s3/bucketPolicy:BucketPolicy");
  if (!key || !policy) throw new Error(`bucket ${bucket.name}: no key or bucket policy declared`);
  const keyRegion = String(key.inputs.region ?? region);
  const encryption = part(
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  )?.inputs.rules as
    | {
        bucketKeyEnabled?: boolean;
        applyServerSideEncryptionByDefault?: { kmsMasterKeyId?: string };
      }[]
    | undefined;
  const arn = `arn:aws:s3:::${bucket.inputs.bucket}`;
  const bucketKey = encryption?.[0]?.bucketKeyEnabled === true;
  return {
    name: String(bucket.inputs.bucket),
    arn,
    region: String(bucket.inputs.region ?? region),
    keyArn: `arn:aws:kms:${keyRegion}:${account}:key/${key.name}-key-id`,
    defaultKeyArn: encryption?.[0]?.applyServerSideEncryptionByDefault?.kmsMasterKeyId,
    keyContextFor: (objectKey) => (bucketKey ? arn : `${arn}/${objectKey}`),
    bucketPolicy: json(policy.inputs.policy),
    keyPolicy: json(key.inputs.policy),
  };
}

export function recordedArchive(run: ProgramRun, account: string, region: string): RecordedArchive {
  const resources = JSON.parse(realArns(run, account, region)) as RecordedResource[];
  const buckets = resources
    .filter((r) => r.type === "aws:s3/bucket:Bucket")
    .map((b) => bucketFacts(resources, b, account, region));
  const roles = resources
    .filter((r) => r.type === "aws:iam/role:Role")
    .map((role) => ({
      name: String(role.inputs.name),
      arn: `arn:aws:iam::${account}:role/${role.inputs.name}`,
      trust: json(role.inputs.assumeRolePolicy),
      policies: resources
        .filter(
          (p) => p.type === "aws:iam/rolePolicy:RolePolicy" && p.inputs.role === role.inputs.name,
        )
        .map((p) => json(p.inputs.policy)),
    }));
  return { account, buckets: Object.fromEntries(buckets.map((b) => [b.name, b])), roles };
}

/** The role a pod of this service account assumes: the one whose trust admits its token. */
export function roleOfServiceAccount(
  archive: RecordedArchive,
  namespace: string,
  name: string,
): RoleFacts {
  const subject = `system:serviceaccount:${namespace}:${name}`;
  const found = archive.roles.filter((role) => JSON.stringify(role.trust).includes(`"${subject}"`));
  if (found.length !== 1) throw new Error(`${subject}: ${found.length} roles trust it`);
  return found[0];
}

/** The role only S3 may assume (replication). */
export function roleOfService(archive: RecordedArchive, service: string): RoleFacts {
  const found = archive.roles.filter((role) =>
    JSON.stringify(role.trust).includes(`"Service":"${service}"`),
  );
  if (found.length !== 1) throw new Error(`${service}: ${found.length} roles trust it`);
  return found[0];
}
