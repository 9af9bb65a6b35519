import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { irsaRole } from "../irsa";
import { type ArchiveWriter, grantPolicy } from "./access";
import { type ArchiveBucket, archiveLifecycle, type LifecycleRule } from "./lifecycle";
import { replicationPolicy, replicationRules, replicationTrustPolicy } from "./replication";
import { bucketPolicy, kmsKeyPolicy } from "./security";

export type { ArchiveWriter } from "./access";

export interface LogArchiveArgs {
  readonly config: StackConfig;
  /** Each writer gets its own IRSA role with its grant (components/logging/writers.ts). */
  readonly writers?: Readonly<Record<string, ArchiveWriter>>;
}

function toProviderRule(rule: LifecycleRule): aws.types.input.s3.BucketLifecycleConfigurationRule {
  return {
    id: rule.ID,
    status: rule.Status,
    filter: { prefix: rule.Filter.Prefix },
    transitions: rule.Transitions?.map((t) => ({ days: t.Days, storageClass: t.StorageClass })),
    expiration: rule.Expiration
      ? {
          days: rule.Expiration.Days,
          expiredObjectDeleteMarker: rule.Expiration.ExpiredObjectDeleteMarker,
        }
      : undefined,
    noncurrentVersionExpiration: rule.NoncurrentVersionExpiration
      ? { noncurrentDays: rule.NoncurrentVersionExpiration.NoncurrentDays }
      : undefined,
    abortIncompleteMultipartUpload: rule.AbortIncompleteMultipartUpload
      ? { daysAfterInitiation: rule.AbortIncompleteMultipartUpload.DaysAfterInitiation }
      : undefined,
  };
}

interface DeclaredBucket {
  readonly bucket: aws.s3.Bucket;
  readonly versioning: aws.s3.BucketVersioning;
  readonly key: aws.kms.Key;
  readonly region: string;
}

/**
 * The S3 log archive: private, encrypted, versioned, protected, expiring per the guide. With
 * `archive.replicateTo` it also owns the replica in the standby region and replicates to it;
 * with `archive.existing` (the dr stack) it uses the bucket as it is.
 */
export class LogArchive extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  /** IAM roles of the archive's writers (IRSA), declared in every deployed stack. */
  readonly writerRoleArns: Record<string, pulumi.Output<string>> = {};

  constructor(name: string, args: LogArchiveArgs, opts?: pulumi.ComponentResourceOptions) {
    super("port8000:archive:LogArchive", name, {}, opts);
    const { archive } = args.config;
    if (archive.existing) {
      const found = pulumi.output(this.lookUp(archive.bucketName, args.config.deployment.region));
      this.bucketName = found.bucket;
      this.bucketArn = found.arn;
    } else {
      const primary = this.declareBucket(name, archive.bucketName, args.config, "primary");
      const replica = archive.replicateTo;
      if (replica) {
        const standby = this.declareBucket(
          `${name}-replica`,
          replica.bucketName,
          args.config,
          "replica",
          replica.region,
        );
        this.replicate(name, args.config, primary, standby);
      }
      this.bucketName = primary.bucket.bucket;
      this.bucketArn = primary.bucket.arn;
    }
    for (const [role, writer] of Object.entries(args.writers ?? {})) {
      this.writerRoleArns[role] = this.writerRole(
        `${name}-${role}`,
        args.config,
        writer,
        grantPolicy(args.config, writer.grant),
      );
    }
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }

  private writerRole(
    name: string,
    config: StackConfig,
    writer: ArchiveWriter,
    policy: object,
  ): pulumi.Output<string> {
    const oidc = config.cluster.oidcProviderArn;
    if (!oidc)
      throw new Error("cluster.oidcProviderArn: archive writers assume their roles through IRSA");
    const role = irsaRole(
      name,
      {
        roleName: `port8000-${config.deployment.environment}-${writer.serviceAccount}`,
        oidcProviderArn: oidc,
        namespace: writer.namespace,
        serviceAccount: writer.serviceAccount,
        policy,
      },
      { parent: this },
    );
    return role.arn;
  }

  private async lookUp(bucket: string, region: string): Promise<aws.s3.GetBucketResult> {
    try {
      return await aws.s3.getBucket({ bucket, region }, { parent: this });
    } catch (error) {
      throw new pulumi.RunError(
        `archive.bucketName ("${bucket}"): archive.existing is set, but the bucket cannot be read in ${region} (${String((error as Error)?.message ?? error)}). It is created by the prod stack as its replica (archive.replicateTo): deploy prod first, see the README's bootstrap order.`,
      );
    }
  }

  /** A bucket and its settings; `region` unset: the provider's (the stack's) region. */
  private declareBucket(
    prefix: string,
    bucketName: string,
    config: StackConfig,
    role: ArchiveBucket,
    region?: string,
  ): DeclaredBucket {
    const child = { parent: this };
    const bucket = new aws.s3.Bucket(
      `${prefix}-bucket`,
      { bucket: bucketName, forceDestroy: false, region },
      { parent: this, protect: true, retainOnDelete: true },
    );
    new aws.s3.BucketPublicAccessBlock(
      `${prefix}-public-access-block`,
      {
        bucket: bucket.id,
        region,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      child,
    );
    const versioning = new aws.s3.BucketVersioning(
      `${prefix}-versioning`,
      { bucket: bucket.id, region, versioningConfiguration: { status: "Enabled" } },
      child,
    );
    const key = new aws.kms.Key(
      `${prefix}-key`,
      {
        region,
        description: `Port 8000 log archive ${bucketName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: JSON.stringify(kmsKeyPolicy(config)),
      },
      // Losing the key loses every archived object: protected, and kept if the stack goes.
      { parent: this, protect: true, retainOnDelete: true },
    );
    new aws.kms.Alias(
      `${prefix}-key-alias`,
      { region, name: `alias/${bucketName}`, targetKeyId: key.keyId },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${prefix}-encryption`,
      {
        bucket: bucket.id,
        region,
        rules: [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: "aws:kms",
              kmsMasterKeyId: key.arn,
            },
            // One data key per bucket: the encryption context is the bucket ARN (security.ts).
            bucketKeyEnabled: true,
          },
        ],
      },
      child,
    );
    new aws.s3.BucketPolicy(
      `${prefix}-policy`,
      {
        bucket: bucket.id,
        region,
        policy: key.arn.apply((arn) => JSON.stringify(bucketPolicy(bucketName, arn))),
      },
      child,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${prefix}-lifecycle`,
      {
        bucket: bucket.id,
        region,
        rules: archiveLifecycle(config, role).Rules.map(toProviderRule),
      },
      // Noncurrent-version rules on a bucket not yet versioned are accepted but idle.
      { parent: this, dependsOn: [versioning] },
    );
    return { bucket, versioning, key, region: region ?? config.deployment.region };
  }

  /** S3 refuses a replication configuration until both buckets are versioned. */
  private replicate(
    name: string,
    config: StackConfig,
    source: DeclaredBucket,
    destination: DeclaredBucket,
  ): void {
    const role = new aws.iam.Role(
      `${name}-replication-role`,
      {
        name: `port8000-${config.deployment.environment}-archive-replication`,
        assumeRolePolicy: JSON.stringify(replicationTrustPolicy),
      },
      { parent: this },
    );
    const end = (bucket: DeclaredBucket) =>
      pulumi.all([bucket.bucket.arn, bucket.key.arn]).apply(([bucketArn, keyArn]) => ({
        bucketArn,
        keyArn,
        region: bucket.region,
      }));
    const [from, to] = [end(source), end(destination)];
    const policy = new aws.iam.RolePolicy(
      `${name}-replication-policy`,
      {
        role: role.name,
        policy: pulumi.all([from, to]).apply(([s, d]) => JSON.stringify(replicationPolicy(s, d))),
      },
      { parent: this },
    );
    new aws.s3.BucketReplicationConfig(
      `${name}-replication`,
      { bucket: source.bucket.id, role: role.arn, rules: to.apply(replicationRules) },
      { parent: this, dependsOn: [source.versioning, destination.versioning, policy] },
    );
  }
}
