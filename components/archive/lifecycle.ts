import { ArtifactPath } from "../../lib/conventions";
import { toSortedJson } from "../../lib/serialize";
import type { StackConfig } from "../config/schema";
import { prometheusBlocksRule } from "./prometheus-backup";

/**
 * The archive bucket's lifecycle (guide 1.2: 180 days archive), in the JSON form of
 * `aws s3api put-bucket-lifecycle-configuration`, so an operator can apply or diff it by hand.
 */

export const ARCHIVE_PREFIX = "logs/";

export interface LifecycleRule {
  ID: string;
  Status: "Enabled";
  Filter: { Prefix: string };
  Transitions?: { Days: number; StorageClass: string }[];
  Expiration?: { Days: number };
  NoncurrentVersionExpiration?: { NoncurrentDays: number };
  AbortIncompleteMultipartUpload?: { DaysAfterInitiation: number };
}

export interface LifecycleConfiguration {
  Rules: LifecycleRule[];
}

export function archiveLifecycle(config: StackConfig): LifecycleConfiguration {
  const expireAfter = config.logging.retention.archiveDays;
  const transitions = config.archive.tiers
    .filter((tier) => tier.afterDays < expireAfter)
    .map((tier) => ({ Days: tier.afterDays, StorageClass: tier.storageClass }));
  return {
    Rules: [
      {
        ID: "port8000-log-archive-retention",
        Status: "Enabled",
        Filter: { Prefix: ARCHIVE_PREFIX },
        Transitions: transitions,
        Expiration: { Days: expireAfter },
      },
      prometheusBlocksRule(config),
      {
        // Versioning protects against overwrites; old versions must not outlive the retention.
        ID: "port8000-noncurrent-versions",
        Status: "Enabled",
        Filter: { Prefix: "" },
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
    ],
  };
}

export function archiveArtifacts(config: StackConfig): Record<string, string> {
  return { [ArtifactPath.archiveLifecycle]: toSortedJson(archiveLifecycle(config)) };
}
