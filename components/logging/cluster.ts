import type { StackConfig } from "../config/schema";
import { OpenSearchRole, roleMappings, roles } from "./access";
import {
  type ClusterImages,
  clusterImageTags,
  NON_ROOT,
  nodePool,
  OPENSEARCH_UID,
  SNAPSHOT_SERVICE_ACCOUNT,
  snapshotCredentials,
} from "./cluster-pods";
import {
  METRICS_USER,
  OPENSEARCH_CLUSTER,
  OPENSEARCH_HTTP_PORT,
  PipelineUser,
  prometheusExporterPluginUrl,
  TLS_CHECKSUM_ANNOTATION,
} from "./names";
import { indexTemplate, snapshotPolicy, snapshotRepository } from "./opensearch";
import {
  COOKIE_SECRET_ENV,
  COOKIE_SECRET_KEY,
  dashboardsSignIn,
  OIDC_SECRET_ENV,
  OIDC_SECRET_KEY,
} from "./sso";

/**
 * The opensearch.org/v1 custom resources of the log cluster (operator 3.0.4, CRDs vendored):
 * the cluster with hot and warm pools, its roles, role bindings, users, index template and
 * snapshot policy. The ISM policy is not among them (docs/logging.md: operator issues).
 */

const API = "opensearch.org/v1";

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
  /** Dashboards' serving certificate, the program's (components/logging-tls), renewed early. */
  dashboardsTls: `${OPENSEARCH_CLUSTER}-dashboards-tls`,
  /** config.yml only (components/logging/sso.ts); the operator adds internal_users.yml. */
  securityConfig: `${OPENSEARCH_CLUSTER}-security-config`,
  /** The OpenID client secret Dashboards signs people in with. */
  dashboardsOidc: `${OPENSEARCH_CLUSTER}-dashboards-oidc`,
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

/** The names Dashboards' Service answers to in the cluster (the operator's own choice of names). */
export function dashboardsDnsNames(config: StackConfig): string[] {
  const service = `${OPENSEARCH_CLUSTER}-dashboards`;
  const ns = config.logging.namespace;
  return [
    service,
    `${service}.${ns}`,
    `${service}.${ns}.svc`,
    `${service}.${ns}.svc.cluster.local`,
  ];
}

/**
 * Dashboards serves the program's certificate: the operator (3.0.0-alpha) would generate one
 * once, for 365 days, and never renew it. Its hash on the pods rolls them on renewal, since
 * Dashboards reads the certificate only at start.
 */
function dashboardsTls(certificateSha256: string) {
  return {
    tls: { enable: true, generate: false, secret: { name: ClusterSecrets.dashboardsTls } },
    ...(certificateSha256 ? { annotations: { [TLS_CHECKSUM_ANNOTATION]: certificateSha256 } } : {}),
  };
}

export function opensearchCluster(
  config: StackConfig,
  images: ClusterImages = clusterImageTags(config),
  dashboardsCertificateSha256 = "",
): CustomResource {
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
        // Installed by `opensearch-plugin install --batch` at every pod start (the operator's
        // command); the exporter plugin must match the version exactly.
        pluginsList: ["repository-s3", prometheusExporterPluginUrl(os.version)],
        serviceAccount: SNAPSHOT_SERVICE_ACCOUNT,
        ...snapshotCredentials(config),
        snapshotRepositories: [
          { name: repository.name, type: repository.type, settings: repository.settings },
        ],
        image: images.opensearch,
        // Non-root at the container, not the pod: the operator's init containers (chown of
        // the data volume, sysctl) run as root and would be refused under a pod-wide rule.
        podSecurityContext: { fsGroup: OPENSEARCH_UID },
        securityContext: NON_ROOT,
      },
      initHelper: { image: images.initHelper },
      security: {
        // The operator hashes the admin's and Dashboards' passwords into internal_users.yml
        // itself; our secret carries only config.yml (sign-in), never the files the user and
        // role resources manage.
        config: {
          adminCredentialsSecret: { name: ClusterSecrets.admin },
          securityConfigSecret: { name: ClusterSecrets.securityConfig },
        },
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
        image: images.dashboards,
        replicas: os.dashboardsReplicas,
        podSecurityContext: { fsGroup: OPENSEARCH_UID },
        securityContext: NON_ROOT,
        // Its own user, not the admin: the Dashboards server needs only kibana_server's rights.
        opensearchCredentialsSecret: { name: ClusterSecrets.dashboards },
        ...dashboardsSsoSpec(config),
        resources: {
          requests: { cpu: "200m", memory: "512Mi" },
          limits: { cpu: "1", memory: "1Gi" },
        },
        // Signed by the program's HTTP CA too: the policy Job and people's clients trust one CA
        // for OpenSearch and Dashboards.
        ...dashboardsTls(dashboardsCertificateSha256),
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

/** Dashboards' OpenID sign-in; the client secret reaches its config only as a variable. */
function dashboardsSsoSpec(config: StackConfig) {
  if (!config.logging.opensearch.sso) return {};
  const fromSecret = (name: string, key: string) => ({
    name,
    valueFrom: { secretKeyRef: { name: ClusterSecrets.dashboardsOidc, key } },
  });
  return {
    additionalConfig: dashboardsSignIn(config),
    env: [
      fromSecret(OIDC_SECRET_ENV, OIDC_SECRET_KEY),
      fromSecret(COOKIE_SECRET_ENV, COOKIE_SECRET_KEY),
    ],
  };
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
