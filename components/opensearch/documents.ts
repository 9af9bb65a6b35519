import { LOG_INDEX_PATTERN } from "../../lib/conventions";
import { LogField } from "../../lib/log-fields";
import type { StackConfig } from "../config/schema";
import { BOT_EVENT_FIELDS } from "../logging/grok";
import {
  ArchivePrefix,
  SNAPSHOT_POLICY,
  SNAPSHOT_REPOSITORY,
  TIER_ATTRIBUTE,
  Tier,
} from "../logging/names";

/**
 * OpenSearch documents, in the bodies of the REST APIs that take them: the index template of
 * port8000-* (mappings of every field the pipeline fills; new indices on hot nodes), the ISM
 * policy (hot → warm → delete) and the snapshot policy on the archive bucket.
 */

const keyword = { type: "keyword" };
/** Mapped fields by dotted path: every field of lib/log-fields.ts, which the log links query. */
export const FIELD_TYPES: Readonly<Record<string, string>> = {
  [LogField.timestamp]: "date",
  [LogField.readAt]: "date",
  [LogField.service]: "keyword",
  [LogField.logKind]: "keyword",
  [LogField.logSource]: "keyword",
  [LogField.release]: "keyword",
  [LogField.status]: "integer",
  [LogField.durationMs]: "float",
  [LogField.bytes]: "long",
  [LogField.ident]: "keyword",
  [LogField.referrer]: "keyword",
  [LogField.message]: "text",
  [LogField.level]: "keyword",
  [LogField.event]: "keyword",
  [LogField.bot]: "keyword",
  [LogField.taskId]: "keyword",
  [LogField.clientId]: "keyword",
  [LogField.worker]: "keyword",
  [LogField.clientIp]: "ip",
  [LogField.userName]: "keyword",
  [LogField.userAgent]: "keyword",
  [LogField.httpMethod]: "keyword",
  [LogField.httpVersion]: "keyword",
  [LogField.urlPath]: "keyword",
  [LogField.urlQuery]: "keyword",
  [LogField.hostName]: "keyword",
  [LogField.kubernetesNamespace]: "keyword",
  [LogField.kubernetesPod]: "keyword",
  [LogField.kubernetesContainer]: "keyword",
} satisfies Record<LogField, string>;

function nestedProperties(fields: Readonly<Record<string, string>>) {
  const root: Record<string, Record<string, unknown>> = {};
  for (const [path, type] of Object.entries(fields)) {
    const parts = path.split(".");
    let level = root;
    for (const part of parts.slice(0, -1)) {
      level[part] ??= { properties: {} };
      level = level[part].properties as Record<string, Record<string, unknown>>;
    }
    level[parts[parts.length - 1]] = type === "keyword" ? { ...keyword } : { type };
  }
  return root;
}

export function indexTemplate(config: StackConfig) {
  const { shards, hotReplicas } = config.logging.opensearch;
  return {
    index_patterns: [LOG_INDEX_PATTERN],
    priority: 100,
    template: {
      settings: {
        number_of_shards: shards,
        number_of_replicas: hotReplicas,
        [`index.routing.allocation.require.${TIER_ATTRIBUTE}`]: Tier.hot,
      },
      mappings: {
        // Unknown keys are kept in _source but not indexed: a noisy bot cannot blow up the mapping.
        dynamic: false,
        properties: nestedProperties(FIELD_TYPES),
      },
    },
  };
}

export function ismPolicy(config: StackConfig) {
  const { hotDays, warmDays } = config.logging.retention;
  const { warmReplicas, forceMergeSegments } = config.logging.opensearch;
  const age = (days: number) => ({ min_index_age: `${days}d` });
  return {
    policy: {
      description: `Port 8000 logs: ${hotDays} days hot, then ${warmDays} days warm, then deleted (the S3 archive keeps them)`,
      default_state: Tier.hot,
      states: [
        {
          name: Tier.hot,
          actions: [],
          transitions: [{ state_name: Tier.warm, conditions: age(hotDays) }],
        },
        {
          name: Tier.warm,
          actions: [
            { replica_count: { number_of_replicas: warmReplicas } },
            { allocation: { require: { [TIER_ATTRIBUTE]: Tier.warm }, wait_for: true } },
            { force_merge: { max_num_segments: forceMergeSegments } },
          ],
          transitions: [{ state_name: "delete", conditions: age(hotDays + warmDays) }],
        },
        { name: "delete", actions: [{ delete: {} }], transitions: [] },
      ],
      ism_template: [{ index_patterns: [LOG_INDEX_PATTERN], priority: 100 }],
    },
  };
}

/**
 * A stack on an existing bucket (archive.existing: the dr stack on prod's replica) restores
 * prod's snapshots and must never write that repository: it registers it read-only and runs no
 * snapshot policy.
 */
export const snapshotsReadOnly = (config: StackConfig): boolean => config.archive.existing;

/** The snapshot repository (repository-s3) on the archive bucket's snapshots/ prefix. */
export function snapshotRepository(config: StackConfig) {
  return {
    name: SNAPSHOT_REPOSITORY,
    type: "s3",
    settings: {
      bucket: config.archive.bucketName,
      base_path: ArchivePrefix.snapshots.replace(/\/$/, ""),
      // No server_side_encryption: at 2.19 it can only ask for AES256, which the bucket refuses;
      // without it the bucket's default SSE-KMS key applies (docs/backups.md).
      ...(snapshotsReadOnly(config) ? { readonly: "true" } : {}),
    },
  };
}

export function snapshotPolicy(config: StackConfig) {
  const { snapshotCron } = config.logging.opensearch;
  const cron = { cron: { expression: snapshotCron, timezone: "UTC" } };
  return {
    policyName: SNAPSHOT_POLICY,
    description: `Daily snapshots of ${LOG_INDEX_PATTERN}, kept ${config.logging.retention.archiveDays} days`,
    enabled: true,
    creation: { schedule: cron },
    deletion: {
      schedule: cron,
      condition: { max_age: `${config.logging.retention.archiveDays}d`, min_count: 7 },
    },
    // include_global_state stays at OpenSearch's default (true): the operator cannot send false
    // (a Go bool with omitempty), and the REST body here is what the operator sends.
    snapshotConfig: {
      repository: SNAPSHOT_REPOSITORY,
      indices: LOG_INDEX_PATTERN,
      ignore_unavailable: true,
    },
  };
}

export const BOT_FIELDS = BOT_EVENT_FIELDS;
