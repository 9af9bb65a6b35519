import {
  bucketPolicy,
  irsaTrustPolicy,
  logstashWriterPolicy,
  snapshotWriterPolicy,
} from "../../components/archive/security";
import { backupPolicy } from "../../components/prometheus-backup/policy";
import { configOf } from "./support";

const config = configOf("prod");
const KEY = "arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-0000-4000-8000-000000000000";
const BUCKET = "arn:aws:s3:::deia-port8000-log-archive-prod";

describe("the archive bucket policy", () => {
  it("denies any access without TLS and any put not encrypted with the archive key", () => {
    expect(bucketPolicy(config.archive.bucketName, KEY)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [BUCKET, `${BUCKET}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        {
          Sid: "DenyPutsNotEncryptedWithKms",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:PutObject",
          Resource: `${BUCKET}/*`,
          Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption": "aws:kms" } },
        },
        {
          Sid: "DenyPutsWithAnotherKey",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:PutObject",
          Resource: `${BUCKET}/*`,
          Condition: {
            StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": KEY },
          },
        },
      ],
    });
  });
});

describe("the archive writers (least privilege, IRSA)", () => {
  it("let Logstash only add objects under logs/ and use the key", () => {
    expect(logstashWriterPolicy(config).Statement).toEqual([
      {
        Sid: "WriteLogEvents",
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
        Resource: `${BUCKET}/logs/*`,
      },
      {
        Sid: "UseTheArchiveKeyThroughS3",
        Effect: "Allow",
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: "*",
        Condition: {
          StringEquals: {
            "kms:ViaService": "s3.us-east-1.amazonaws.com",
            "kms:EncryptionContext:aws:s3:arn": BUCKET,
          },
        },
      },
    ]);
  });

  it("let snapshots manage files under snapshots/ only", () => {
    const statements = snapshotWriterPolicy(config).Statement;
    const objects = statements.find((s) => s.Sid === "ManageSnapshotFiles");
    expect(objects?.Resource).toBe(`${BUCKET}/snapshots/*`);
    const list = statements.find((s) => s.Sid === "ListSnapshotPrefix");
    expect(list && "Condition" in list ? list.Condition : undefined).toEqual({
      StringLike: { "s3:prefix": ["snapshots/*"] },
    });
    expect(JSON.stringify(statements)).not.toContain(`${BUCKET}/*"`);
  });

  it("are assumable only by their own service account", () => {
    const oidc = config.cluster.oidcProviderArn ?? "";
    const trust = irsaTrustPolicy(oidc, "logging", "logstash");
    expect(trust.Statement[0].Condition.StringEquals).toEqual({
      "oidc.eks.us-east-1.amazonaws.com/id/5C1D8E2A7B9F4C3D6E0A1B2C3D4E5F60:sub":
        "system:serviceaccount:logging:logstash",
      "oidc.eks.us-east-1.amazonaws.com/id/5C1D8E2A7B9F4C3D6E0A1B2C3D4E5F60:aud":
        "sts.amazonaws.com",
    });
  });
});

describe("the Prometheus backups on the SSE-KMS archive", () => {
  it("may use the archive key, through S3, for this bucket only", () => {
    const statement = backupPolicy(config).Statement.find((s) => s.Sid === "UseArchiveKey");
    expect(statement?.Condition).toEqual({
      StringEquals: {
        "kms:ViaService": "s3.us-east-1.amazonaws.com",
        "kms:EncryptionContext:aws:s3:arn": BUCKET,
      },
    });
  });
});
