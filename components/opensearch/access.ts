import { LOG_INDEX_PATTERN } from "../../lib/conventions";
import type { StackConfig } from "../config/schema";
import { METRICS_USER, PipelineUser } from "../logging/names";

/**
 * OpenSearch security roles and role mappings from the typed RBAC teams (guide 1.2: minimum
 * role `operations.read`, streaming queries for on-call). `none` maps a team to nothing.
 */

export const OpenSearchRole = {
  read: "operations.read",
  stream: "operations.stream",
  admin: "all_access",
  writer: "port8000.logstash-writer",
  evidence: "port8000.evidence-reader",
  metrics: "port8000.metrics-reader",
  pipelineState: "port8000.pipeline-state-reader",
} as const;

/**
 * The index-management plugin's explain actions (its SMActions and ExplainAction names at
 * 2.19) and the cluster state the ISM explain resolves its index pattern from: the OpenSearch
 * state exporter (components/opensearch/state-exporter.ts) reads, never starts, retries or edits.
 */
export const PIPELINE_STATE_ACTIONS = [
  "cluster:admin/opendistro/ism/managedindex/explain",
  "cluster:admin/opensearch/snapshot_management/policy/explain",
  "cluster:monitor/state",
] as const;

/**
 * The ISM explain checks this index action on every index it found and silently drops those
 * the user lacks it on (TransportExplainAction at 2.19): without it the exporter reports no
 * failed index at all. The action itself (TransportManagedIndexAction) only acknowledges.
 */
export const ISM_EXPLAIN_INDEX_ACTION = "indices:admin/opensearch/ism/managedindex";

export interface RoleDefinition {
  readonly cluster_permissions: string[];
  readonly index_permissions: { index_patterns: string[]; allowed_actions: string[] }[];
  readonly tenant_permissions: { tenant_patterns: string[]; allowed_actions: string[] }[];
}

const onLogs = (allowed_actions: string[]) => [
  { index_patterns: [LOG_INDEX_PATTERN], allowed_actions },
];
const globalTenant = (action: string) => [
  { tenant_patterns: ["global_tenant"], allowed_actions: [action] },
];

/**
 * cluster_composite_ops_ro without indices:data/read/scroll, and index reads without the
 * "read" group (indices:data/read*, which holds point-in-time): scroll and PIT are what
 * operations.stream adds.
 */
const READ_CLUSTER_ACTIONS = [
  "indices:admin/aliases/exists*",
  "indices:admin/aliases/get*",
  "indices:admin/resolve/index",
  "indices:data/read/mget*",
  "indices:data/read/msearch*",
  "indices:data/read/mtv*",
];
const READ_ACTIONS = [
  "indices:admin/mappings/get",
  "indices:admin/resolve/index",
  "indices:data/read/field_caps*",
  "indices:data/read/get*",
  "indices:data/read/mget*",
  "indices:data/read/msearch*",
  "indices:data/read/search*",
];
/** Scroll and point-in-time searches stream a result set page by page (on-call). */
const STREAM_ACTIONS = [
  ...READ_ACTIONS,
  "indices:data/read/scroll",
  "indices:data/read/scroll/clear",
  "indices:data/read/point_in_time/create",
  "indices:data/read/point_in_time/delete",
];

/** Roles this program defines; all_access is the security plugin's own. */
export function roles(): Record<string, RoleDefinition> {
  return {
    [OpenSearchRole.read]: {
      cluster_permissions: READ_CLUSTER_ACTIONS,
      index_permissions: onLogs(READ_ACTIONS),
      tenant_permissions: globalTenant("kibana_all_read"),
    },
    [OpenSearchRole.stream]: {
      cluster_permissions: [...READ_CLUSTER_ACTIONS, "indices:data/read/scroll*"],
      index_permissions: onLogs(STREAM_ACTIONS),
      tenant_permissions: globalTenant("kibana_all_read"),
    },
    [OpenSearchRole.writer]: {
      cluster_permissions: ["cluster_monitor", "indices:data/write/bulk"],
      index_permissions: onLogs(["crud", "create_index", "indices:admin/mapping/put"]),
      tenant_permissions: [],
    },
    [OpenSearchRole.evidence]: {
      cluster_permissions: [],
      index_permissions: onLogs(["read"]),
      tenant_permissions: [],
    },
    // The exporter plugin's own action is cluster:monitor/prometheus/metrics; it reads cluster
    // health, node and index stats. Monitoring actions only: no document, no setting.
    [OpenSearchRole.metrics]: {
      cluster_permissions: ["cluster:monitor/*"],
      index_permissions: [{ index_patterns: ["*"], allowed_actions: ["indices:monitor/*"] }],
      tenant_permissions: [],
    },
    [OpenSearchRole.pipelineState]: {
      cluster_permissions: [...PIPELINE_STATE_ACTIONS],
      index_permissions: onLogs([ISM_EXPLAIN_INDEX_ACTION]),
      tenant_permissions: [],
    },
  };
}

const LEVELS = ["read", "stream", "admin"] as const;
type Level = (typeof LEVELS)[number];

/** operations.read is the floor: a team gets every role up to its level, none below it. */
export function teamRoles(level: Level | "none"): string[] {
  if (level === "none") return [];
  return LEVELS.slice(0, LEVELS.indexOf(level) + 1).map((l) => OpenSearchRole[l]);
}

export interface RoleMapping {
  readonly users: string[];
  readonly backend_roles: string[];
}

/** Each role's users (team members, program users) and backend roles (team names). */
export function roleMappings(config: StackConfig): Record<string, RoleMapping> {
  const mappings: Record<string, RoleMapping> = {
    [OpenSearchRole.writer]: { users: [PipelineUser.logstash], backend_roles: [] },
    [OpenSearchRole.evidence]: { users: [PipelineUser.evidence], backend_roles: [] },
    [OpenSearchRole.metrics]: { users: [METRICS_USER], backend_roles: [] },
    [OpenSearchRole.pipelineState]: { users: [METRICS_USER], backend_roles: [] },
  };
  for (const team of config.rbac.teams) {
    for (const role of teamRoles(team.opensearch)) {
      const current = mappings[role] ?? { users: [], backend_roles: [] };
      mappings[role] = {
        users: [...current.users, ...team.members].sort(),
        backend_roles: [...current.backend_roles, team.name].sort(),
      };
    }
  }
  return mappings;
}
