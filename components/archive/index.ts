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
import {
  bucketPolicy,
  irsaTrustPolicy,
  kmsKeyPolicy,
  logstashWriterPolicy,
  snapshotWriterPolicy,
} from "./security";

/** A Kubernetes service account that writes to the archive through its own IAM role (IRSA). */
export interface ArchiveWriter {
  readonly namespace: string;
  readonly serviceAccount: string;
}

export interface LogArchiveArgs {
  readonly config: StackConfig;
  /** Logstash (events, dead letters under logs/) and OpenSearch (snapshots/). */
  readonly writers?: { readonly logstash: ArchiveWriter; readonly snapshots: ArchiveWriter };
}

const WRITER_POLICY = { logstash: logstashWriterPolicy, snapshots: snapshotWriterPolicy } as const;
const json = (value: unknown) => JSON.stringify(value);

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

/**
 * The S3 log archive: private, versioned, protected, expiring per the guide, encrypted with a
 * customer-managed rotating KMS key, reachable over TLS only, written by two IRSA roles.
 */
export class LogArchive extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;
  readonly writerRoleArns: { logstash?: pulumi.Output<string>; snapshots?: pulumi.Output<string> };

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
    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      child,
    );
    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Port 8000 log archive (${args.config.deployment.environment})`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: json(kmsKeyPolicy(args.config)),
      },
      { parent: this, protect: true },
    );
    new aws.kms.Alias(
      `${name}-key-alias`,
      {
        name: `alias/port8000-${args.config.deployment.environment}-log-archive`,
        targetKeyId: key.keyId,
      },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: "aws:kms",
              kmsMasterKeyId: key.arn,
            },
            bucketKeyEnabled: true,
          },
        ],
      },
      child,
    );
    new aws.s3.BucketPolicy(
      `${name}-policy`,
      { bucket: bucket.id, policy: key.arn.apply((arn) => json(bucketPolicy(args.config, arn))) },
      child,
    );
    this.writerRoleArns = {};
    for (const [role, writer] of Object.entries(args.writers ?? {})) {
      this.writerRoleArns[role as keyof typeof WRITER_POLICY] = this.writerRole(
        `${name}-${role}`,
        args.config,
        writer,
        key.arn.apply((arn) =>
          json(WRITER_POLICY[role as keyof typeof WRITER_POLICY](args.config, arn)),
        ),
      );
    }
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      { bucket: bucket.id, rules: archiveLifecycle(args.config).Rules.map(toProviderRule) },
      child,
    );
    const replica = replicaOf(args.config);
    if (replica) this.replicate(name, args.config, bucket, replica, versioning, key.arn);
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.kmsKeyArn = key.arn;
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      kmsKeyArn: key.arn,
    });
  }

  private writerRole(
    name: string,
    config: StackConfig,
    writer: ArchiveWriter,
    policy: pulumi.Output<string>,
  ): pulumi.Output<string> {
    const oidc = config.cluster.oidcProviderArn;
    if (!oidc)
      throw new Error("cluster.oidcProviderArn: archive writers assume their roles through IRSA");
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: `port8000-${config.deployment.environment}-${writer.serviceAccount}`,
        assumeRolePolicy: json(irsaTrustPolicy(oidc, writer.namespace, writer.serviceAccount)),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(`${name}-policy`, { role: role.name, policy }, { parent: this });
    return role.arn;
  }

  private replicate(
    name: string,
    config: StackConfig,
    bucket: aws.s3.Bucket,
    destination: string,
    versioning: aws.s3.BucketVersioning,
    sourceKeyArn: pulumi.Output<string>,
  ): void {
    const replicaKey = config.archive.replicateTo?.kmsKeyArn ?? "";
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
        policy: sourceKeyArn.apply((source) =>
          json(
            replicationPolicy(config.archive.bucketName, destination, {
              source,
              replica: replicaKey,
            }),
          ),
        ),
      },
      { parent: this },
    );
    new aws.s3.BucketReplicationConfig(
      `${name}-replication`,
      { bucket: bucket.id, role: role.arn, rules: [replicationRule(destination, replicaKey)] },
      { parent: this, dependsOn: [versioning] },
    );
  }
}
