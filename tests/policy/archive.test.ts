import { archiveBucketHardened, S3Type } from "../../policy/archive";
import { messages, resource } from "./support";

const BUCKET = "deia-archive";
const ARN = `arn:aws:s3:::${BUCKET}`;
const ref = `${S3Type.bucket[0]}::archive-bucket`;
const onBucket = (type: string, name: string, inputs: Record<string, unknown>) =>
  resource(
    type,
    name,
    { bucket: `${BUCKET}-id`, ...inputs },
    {
      propertyDependencies: { bucket: [ref] },
    },
  );

const tlsOnly = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [ARN, `${ARN}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
  ],
};

function archive(overrides: Record<string, Record<string, unknown> | null> = {}) {
  const settings: Record<string, [string, Record<string, unknown>]> = {
    encryption: [
      S3Type.encryption[0],
      {
        rules: [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: "aws:kms",
              kmsMasterKeyId: "arn:aws:kms:us-east-1:111122223333:key/abc",
            },
            bucketKeyEnabled: true,
          },
        ],
      },
    ],
    versioning: [S3Type.versioning[0], { versioningConfiguration: { status: "Enabled" } }],
    publicAccessBlock: [
      S3Type.publicAccessBlock[0],
      {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
    ],
    policy: [S3Type.policy[0], { policy: JSON.stringify(tlsOnly) }],
  };
  const siblings = Object.entries(settings).flatMap(([role, [type, inputs]]) => {
    const override = overrides[role];
    if (override === null) return [];
    return [onBucket(type, `archive-${role}`, { ...inputs, ...override })];
  });
  return [resource(S3Type.bucket[0], "archive-bucket", { bucket: BUCKET }), ...siblings];
}

describe("policy archive-bucket-hardened", () => {
  it("passes a KMS-encrypted, versioned, private, TLS-only bucket", async () => {
    expect(await messages(archiveBucketHardened, archive())).toEqual([]);
  });

  it("refuses SSE-S3 (AES256) encryption", async () => {
    const sseS3 = { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] };
    expect(await messages(archiveBucketHardened, archive({ encryption: sseS3 }))).toEqual([
      expect.stringContaining("SSE-KMS"),
    ]);
  });

  it("refuses a bucket whose versioning is suspended or absent", async () => {
    const suspended = { versioningConfiguration: { status: "Suspended" } };
    expect(await messages(archiveBucketHardened, archive({ versioning: suspended }))).toEqual([
      expect.stringContaining("versioning"),
    ]);
    expect(await messages(archiveBucketHardened, archive({ versioning: null }))).toEqual([
      expect.stringContaining("versioning"),
    ]);
  });

  it("refuses a public access block that lets public policies through", async () => {
    expect(
      await messages(
        archiveBucketHardened,
        archive({ publicAccessBlock: { blockPublicPolicy: false } }),
      ),
    ).toEqual([expect.stringContaining("public access")]);
  });

  it("refuses a bucket policy without the deny on insecure transport", async () => {
    const allowOnly = { ...tlsOnly, Statement: [{ ...tlsOnly.Statement[0], Effect: "Allow" }] };
    expect(
      await messages(
        archiveBucketHardened,
        archive({ policy: { policy: JSON.stringify(allowOnly) } }),
      ),
    ).toEqual([expect.stringContaining("SecureTransport")]);
    expect(await messages(archiveBucketHardened, archive({ policy: null }))).toEqual([
      expect.stringContaining("SecureTransport"),
    ]);
  });

  it("does not credit one bucket with another bucket's settings", async () => {
    const other = resource(S3Type.bucket[0], "other-bucket", { bucket: "other" });
    const found = await messages(archiveBucketHardened, [...archive(), other]);
    expect(found).toHaveLength(4);
    expect(found.every((m) => m.startsWith("bucket other-bucket"))).toBe(true);
  });
});
