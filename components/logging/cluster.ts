import type { StackConfig } from "../config/schema";
import { OpenSearchRole, roleMappings, roles } from "./access";
import {
  OPENSEARCH_CLUSTER,
  OPENSEARCH_HTTP_PORT,
  PipelineUser,
  TIER_ATTRIBUTE,
  Tier,
} from "./names";
import { indexTemplate, snapshotPolicy, snapshotRepository } from "./opensearch";

/**
 * The opensearch.org/v1 custom resources of the log cluster (operator 3.0.4, CRDs vendored):
 * the cluster with hot and warm pools, its roles, role bindings, users, index template and
 * snapshot policy. The ISM policy is not among them (docs/logging.md: operator issues).
 */

const API = "opensearch.org/v1";
export const SNAPSHOT_SERVICE_ACCOUNT = `${OPENSEARCH_CLUSTER}-snapshots`;
/**
 * The internal user OpenSearch Dashboards' server logs in as. The operator hashes the password
 * of ClusterSecrets.dashboards into this user, as it does the admin's (docs/logging.md).
 */
export const DASHBOARDS_SERVER_USER = "kibanaserver";
export const ClusterSecrets = {
  admin: `${OPENSEARCH_CLUSTER}-admin`,
  /** CA (certificate and key) the operator signs the HTTP certificates with; the program's. */
  httpCa: `${OPENSEARCH_CLUSTER}-http-ca`,
  dashboards: `${OPENSEARCH_CLUSTER}-dashboards`,
  user: (user: string) => `${OPENSEARCH_CLUSTER}-user-${user}`,
} as const;

export interface CustomResource {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace: string; labels?: Record<string, string> };
  readonly spec: Record<string, unknown>;
}

const meta = (config: StackConfig, name: string) => ({
  name,
  namespace: config.logging.namespace,
  labels: { "app.kubernetes.io/part-of": "port8000-monitoring" },
});
const clusterRef = { opensearchCluster: { name: OPENSEARCH_CLUSTER } };
/** The image's config directory; repository-s3 may read only files below it. */
export const OPENSEARCH_CONFIG_DIR = "/usr/share/opensearch/config";
const TOKEN_DIR = "aws-iam-token";

/**
 * IRSA for repository-s3: it uses web identity only when `identity_token_file` is set, and the
 * security manager lets it read only below the config directory, so the service account's token
 * is projected there (no subPath: the kubelet must keep refreshing it). AWS_ROLE_ARN comes from
 * the EKS pod identity webhook, as the annotated service account asks.
 */
export function snapshotCredentials(config: StackConfig) {
  const region = config.deployment.region;
  return {
    additionalVolumes: [
      {
        name: TOKEN_DIR,
        path: `${OPENSEARCH_CONFIG_DIR}/${TOKEN_DIR}`,
        projected: {
          sources: [
            {
              serviceAccountToken: {
                audience: "sts.amazonaws.com",
                expirationSeconds: 86_400,
                path: "token",
              },
            },
          ],
        },
      },
    ],
    additionalConfig: {
      "s3.client.default.identity_token_file": `${TOKEN_DIR}/token`,
      "s3.client.default.region": region,
      "s3.client.default.endpoint": `s3.${region}.amazonaws.com`,
    },
  };
}
const RESOURCES = { requests: { cpu: "1", memory: "4Gi" }, limits: { cpu: "2", memory: "4Gi" } };

function nodePool(config: StackConfig, tier: keyof typeof Tier) {
  const os = config.logging.opensearch;
  const hot = tier === "hot";
  return {
    component: tier,
    replicas: hot ? os.hotNodes : os.warmNodes,
    diskSize: hot ? config.storage.opensearch.size : os.warmDiskSize,
    // Hot nodes also hold the cluster-manager role: three of them keep a quorum.
    roles: hot ? ["cluster_manager", "data", "ingest"] : ["data"],
    jvm: "-Xms2g -Xmx2g",
    resources: RESOURCES,
    persistence: {
      pvc: { storageClass: config.cluster.storageClass, accessModes: ["ReadWriteOnce"] },
    },
    additionalConfig: { [`node.attr.${TIER_ATTRIBUTE}`]: Tier[tier] },
    pdb: { enable: true, maxUnavailable: 1 },
  };
}

export function opensearchCluster(config: StackConfig): CustomResource {
  const os = config.logging.opensearch;
  const repository = snapshotRepository(config);
  return {
    apiVersion: API,
    kind: "OpenSearchCluster",
    metadata: meta(config, OPENSEARCH_CLUSTER),
    spec: {
      general: {
        serviceName: OPENSEARCH_CLUSTER,
        version: os.version,
        httpPort: OPENSEARCH_HTTP_PORT,
        setVMMaxMapCount: true,
        drainDataNodes: true,
        pluginsList: ["repository-s3"],
        serviceAccount: SNAPSHOT_SERVICE_ACCOUNT,
        ...snapshotCredentials(config),
        snapshotRepositories: [
          { name: repository.name, type: repository.type, settings: repository.settings },
        ],
        podSecurityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 },
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
      },
      security: {
        // No securityConfigSecret: users and roles are CRDs, and the operator does not support
        // both. It hashes the admin's and Dashboards' passwords into internal_users.yml itself.
        config: { adminCredentialsSecret: { name: ClusterSecrets.admin } },
        tls: {
          transport: { generate: true, perNode: true },
          // Generated by the operator but signed by the program's CA, so clients in other
          // namespaces (the automation service) can trust it from deploy time on.
          http: { generate: true, caSecret: { name: ClusterSecrets.httpCa } },
        },
      },
      dashboards: {
        enable: true,
        version: os.version,
        replicas: os.dashboardsReplicas,
        // Its own user, not the admin: the Dashboards server needs only kibana_server's rights.
        opensearchCredentialsSecret: { name: ClusterSecrets.dashboards },
        resources: {
          requests: { cpu: "200m", memory: "512Mi" },
          limits: { cpu: "1", memory: "1Gi" },
        },
        // Signed by the program's HTTP CA too (else the operator's own CA): the policy Job and
        // people's clients trust one CA for OpenSearch and Dashboards.
        tls: { enable: true, generate: true, caSecret: { name: ClusterSecrets.httpCa } },
      },
      nodePools: [nodePool(config, "hot"), nodePool(config, "warm")],
    },
  };
}

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
  return [...programUsers(config), ...grafanaUser];
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
