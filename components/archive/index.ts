import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { archiveLifecycle, type LifecycleRule } from "./lifecycle";

export interface LogArchiveArgs {
  readonly config: StackConfig;
}

function toProviderRule(rule: LifecycleRule): aws.types.input.s3.BucketLifecycleConfigurationRule {
  return {
    id: rule.ID,
    status: rule.Status,
    filter: { prefix: rule.Filter.Prefix },
    transitions: rule.Transitions?.map((t) => ({ days: t.Days, storageClass: t.StorageClass })),
    expiration: rule.Expiration ? { days: rule.Expiration.Days } : undefined,
    noncurrentVersionExpiration: rule.NoncurrentVersionExpiration
      ? { noncurrentDays: rule.NoncurrentVersionExpiration.NoncurrentDays }
      : undefined,
    abortIncompleteMultipartUpload: rule.AbortIncompleteMultipartUpload
      ? { daysAfterInitiation: rule.AbortIncompleteMultipartUpload.DaysAfterInitiation }
      : undefined,
  };
}

/** The S3 log archive: private, encrypted, versioned, protected, expiring per the guide. */
export class LogArchive extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;

  constructor(name: string, args: LogArchiveArgs, opts?: pulumi.ComponentResourceOptions) {
    super("port8000:archive:LogArchive", name, {}, opts);
    const child = { parent: this };
    const bucket = new aws.s3.Bucket(
      `${name}-bucket`,
      { bucket: args.config.archive.bucketName, forceDestroy: false },
      { parent: this, protect: true },
    );
    new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access-block`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      child,
    );
    new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" },
            bucketKeyEnabled: true,
          },
        ],
      },
      child,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      { bucket: bucket.id, rules: archiveLifecycle(args.config).Rules.map(toProviderRule) },
      child,
    );
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }
}
