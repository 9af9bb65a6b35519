import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { archiveLifecycle, type LifecycleRule } from "./lifecycle";
import {
  replicaOf,
  replicationPolicy,
  replicationRule,
  replicationTrustPolicy,
} from "./replication";

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
      { parent: this, protect: true, retainOnDelete: true },
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
    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.id,
        rules: [
          // SSE-S3: replicas to the standby region need no per-region KMS key wiring.
          { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ],
      },
      child,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      { bucket: bucket.id, rules: archiveLifecycle(args.config).Rules.map(toProviderRule) },
      child,
    );
    const replica = replicaOf(args.config);
    if (replica) this.replicate(name, args.config, bucket, replica, versioning);
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }

  private replicate(
    name: string,
    config: StackConfig,
    bucket: aws.s3.Bucket,
    destination: string,
    versioning: aws.s3.BucketVersioning,
  ): void {
    const role = new aws.iam.Role(
      `${name}-replication-role`,
      {
        name: `port8000-${config.deployment.environment}-archive-replication`,
        assumeRolePolicy: JSON.stringify(replicationTrustPolicy),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-replication-policy`,
      {
        role: role.name,
        policy: JSON.stringify(replicationPolicy(config.archive.bucketName, destination)),
      },
      { parent: this },
    );
    new aws.s3.BucketReplicationConfig(
      `${name}-replication`,
      { bucket: bucket.id, role: role.arn, rules: [replicationRule(destination)] },
      { parent: this, dependsOn: [versioning] },
    );
  }
}
