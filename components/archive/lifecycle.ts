import { ArtifactPath } from "../../lib/conventions";
import { toSortedJson } from "../../lib/serialize";
import type { StackConfig } from "../config/schema";
import { ArchivePrefix } from "../logging/names";
import { PROMETHEUS_BLOCKS_PREFIX, prometheusBlocksRule } from "../prometheus-backup/retention";

/**
 * The archive bucket's lifecycle (guide 1.2: 180 days archive), in the JSON form of
 * `aws s3api put-bucket-lifecycle-configuration`, so an operator can apply or diff it by hand.
 * The bucket is versioned: expiring an object only makes it a noncurrent version behind a delete
 * marker, so the versions rule removes that copy the day after (S3's shortest period) and then
 * the marker, or "180 days" would be 180 plus however long old versions are kept.
 */

export const ARCHIVE_PREFIX = ArchivePrefix.events;
/** Every prefix the stacks write, each replicated to the standby region by its own rule. */
export const REPLICATED_PREFIXES = [
  ArchivePrefix.events,
  ArchivePrefix.snapshots,
  PROMETHEUS_BLOCKS_PREFIX,
] as const;
export const NONCURRENT_DAYS = 1;
export const INCOMPLETE_UPLOAD_DAYS = 7;
/** Days of schedule slack after the last daily snapshot that can still reference a file. */
const SNAPSHOT_SLACK_DAYS = 7;
export const REPLICA_LIFECYCLE_ARTIFACT = "archive/s3-lifecycle-replica.json";

/** The primary bucket, or prod's replica of it in the standby region. */
export type ArchiveBucket = "primary" | "replica";

export interface LifecycleRule {
  ID: string;
  Status: "Enabled";
  Filter: { Prefix: string };
  Transitions?: { Days: number; StorageClass: string }[];
  /** Days, or ExpiredObjectDeleteMarker alone: S3 refuses the two in one Expiration. */
  Expiration?: { Days?: number; ExpiredObjectDeleteMarker?: true };
  NoncurrentVersionExpiration?: { NoncurrentDays: number };
  AbortIncompleteMultipartUpload?: { DaysAfterInitiation: number };
}

export interface LifecycleConfiguration {
  Rules: LifecycleRule[];
}

function logsRule(config: StackConfig): LifecycleRule {
  const expireAfter = config.logging.retention.archiveDays;
  const transitions = config.archive.tiers
    .filter((tier) => tier.afterDays < expireAfter)
    .map((tier) => ({ Days: tier.afterDays, StorageClass: tier.storageClass }));
  return {
    ID: "port8000-log-archive-retention",
    Status: "Enabled",
    Filter: { Prefix: ArchivePrefix.events },
    Transitions: transitions,
    Expiration: { Days: expireAfter },
  };
}

/**
 * In prod OpenSearch deletes its snapshot files itself (the snapshot policy), and an age rule
 * would break snapshots that still use old files. Its deletes do not replicate, so the replica
 * expires them at the longest a file can stay referenced: an index's segments are snapshotted
 * until ISM deletes it (hot + warm days), and that last snapshot is kept archiveDays.
 */
function replicaSnapshotsRule(config: StackConfig): LifecycleRule {
  const { hotDays, warmDays, archiveDays } = config.logging.retention;
  return {
    ID: "port8000-replica-snapshot-files",
    Status: "Enabled",
    Filter: { Prefix: ArchivePrefix.snapshots },
    Expiration: { Days: hotDays + warmDays + archiveDays + SNAPSHOT_SLACK_DAYS },
  };
}

const versionsRule: LifecycleRule = {
  ID: "port8000-noncurrent-versions",
  Status: "Enabled",
  Filter: { Prefix: "" },
  NoncurrentVersionExpiration: { NoncurrentDays: NONCURRENT_DAYS },
  // Allowed here, not beside Days in the retention rules: S3 refuses both in one Expiration.
  Expiration: { ExpiredObjectDeleteMarker: true },
  AbortIncompleteMultipartUpload: { DaysAfterInitiation: INCOMPLETE_UPLOAD_DAYS },
};

export function archiveLifecycle(
  config: StackConfig,
  bucket: ArchiveBucket = "primary",
): LifecycleConfiguration {
  return {
    Rules: [
      logsRule(config),
      prometheusBlocksRule(config),
      ...(bucket === "replica" ? [replicaSnapshotsRule(config)] : []),
      versionsRule,
    ],
  };
}

export function archiveArtifacts(config: StackConfig): Record<string, string> {
  return {
    [ArtifactPath.archiveLifecycle]: toSortedJson(archiveLifecycle(config)),
    ...(config.archive.replicateTo
      ? { [REPLICA_LIFECYCLE_ARTIFACT]: toSortedJson(archiveLifecycle(config, "replica")) }
      : {}),
  };
}
