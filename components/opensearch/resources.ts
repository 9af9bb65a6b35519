import type { StackConfig } from "../config/schema";
import { METRICS_USER, PipelineUser } from "../logging/names";
import { OpenSearchRole, roleMappings, roles } from "./access";
import { API, ClusterSecrets, type CustomResource, clusterRef, meta } from "./cluster";
import { indexTemplate, snapshotPolicy } from "./documents";

/**
 * The log cluster's operator resources beside the cluster itself: roles and role bindings from
 * the typed RBAC teams, the internal users, the index template and the snapshot policy.
 */

export function opensearchRoles(config: StackConfig): CustomResource[] {
  return Object.entries(roles()).map(([name, role]) => ({
    apiVersion: API,
    kind: "OpensearchRole",
    metadata: meta(config, name),
    spec: {
      ...clusterRef,
      clusterPermissions: role.cluster_permissions,
      indexPermissions: role.index_permissions.map((p) => ({
        indexPatterns: p.index_patterns,
        allowedActions: p.allowed_actions,
      })),
      tenantPermissions: role.tenant_permissions.map((p) => ({
        tenantPatterns: p.tenant_patterns,
        allowedActions: p.allowed_actions,
      })),
    },
  }));
}

export function opensearchRoleBindings(config: StackConfig): CustomResource[] {
  return Object.entries(roleMappings(config)).map(([role, mapping]) => ({
    apiVersion: API,
    kind: "OpensearchUserRoleBinding",
    metadata: meta(config, `${role.replace(/[._]/g, "-")}-binding`),
    spec: {
      ...clusterRef,
      roles: [role],
      users: mapping.users,
      backendRoles: mapping.backend_roles,
    },
  }));
}

/** The user Grafana's logs datasource reads as (dashboards.datasources.opensearch), if any. */
export function grafanaLogsUser(config: StackConfig): string | undefined {
  return config.dashboards.datasources.opensearch?.basicAuthUser;
}

/**
 * Internal users: the programs' (Logstash writes, the automation service reads) and Grafana's
 * logs datasource, which reads with operations.read (password: opensearchGrafanaPassword).
 */
export function opensearchUsers(config: StackConfig): CustomResource[] {
  const grafana = grafanaLogsUser(config);
  const grafanaUser = grafana
    ? [
        {
          apiVersion: API,
          kind: "OpensearchUser",
          metadata: meta(config, grafana),
          spec: {
            ...clusterRef,
            passwordFrom: { name: ClusterSecrets.user(grafana), key: "password" },
            opendistroSecurityRoles: [OpenSearchRole.read],
          },
        },
      ]
    : [];
  return [...programUsers(config), ...grafanaUser, metricsUser(config)];
}

/** Prometheus' scrape user (components/prometheus/monitors.ts), monitoring rights only. */
function metricsUser(config: StackConfig): CustomResource {
  return {
    apiVersion: API,
    kind: "OpensearchUser",
    metadata: meta(config, METRICS_USER),
    spec: {
      ...clusterRef,
      passwordFrom: { name: ClusterSecrets.user(METRICS_USER), key: "password" },
      opendistroSecurityRoles: [OpenSearchRole.metrics, OpenSearchRole.pipelineState],
    },
  };
}

function programUsers(config: StackConfig): CustomResource[] {
  return Object.values(PipelineUser).map((user) => ({
    apiVersion: API,
    kind: "OpensearchUser",
    metadata: meta(config, user),
    spec: {
      ...clusterRef,
      passwordFrom: { name: ClusterSecrets.user(user), key: "password" },
      opendistroSecurityRoles: [
        user === PipelineUser.logstash ? OpenSearchRole.writer : OpenSearchRole.evidence,
      ],
    },
  }));
}

export function opensearchIndexTemplate(config: StackConfig): CustomResource {
  const template = indexTemplate(config);
  return {
    apiVersion: API,
    kind: "OpensearchIndexTemplate",
    metadata: meta(config, "port8000-logs"),
    spec: {
      ...clusterRef,
      name: "port8000-logs",
      indexPatterns: template.index_patterns,
      priority: template.priority,
      template: template.template,
    },
  };
}

/** The snapshot policy in the operator's camelCase fields, which it turns into the REST body. */
export function opensearchSnapshotPolicy(config: StackConfig): CustomResource {
  const policy = snapshotPolicy(config);
  const { max_age, min_count } = policy.deletion.condition;
  const { repository, indices, ignore_unavailable } = policy.snapshotConfig;
  return {
    apiVersion: API,
    kind: "OpensearchSnapshotPolicy",
    metadata: meta(config, policy.policyName),
    spec: {
      ...clusterRef,
      policyName: policy.policyName,
      description: policy.description,
      enabled: policy.enabled,
      creation: policy.creation,
      deletion: {
        schedule: policy.deletion.schedule,
        deleteCondition: { maxAge: max_age, minCount: min_count },
      },
      snapshotConfig: { repository, indices, ignoreUnavailable: ignore_unavailable },
    },
  };
}
