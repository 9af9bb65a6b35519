import type { StackConfig } from "../config/schema";
import {
  OPENSEARCH_CLUSTER,
  OPENSEARCH_HTTP_PORT,
  prometheusExporterPluginUrl,
  TLS_CHECKSUM_ANNOTATION,
} from "../logging/names";
import { snapshotRepository } from "./documents";
import {
  type ClusterImages,
  clusterImageTags,
  NON_ROOT,
  nodePool,
  OPENSEARCH_UID,
  SNAPSHOT_SERVICE_ACCOUNT,
  snapshotCredentials,
} from "./pods";
import {
  COOKIE_SECRET_ENV,
  COOKIE_SECRET_KEY,
  dashboardsSignIn,
  OIDC_SECRET_ENV,
  OIDC_SECRET_KEY,
} from "./sso";

/**
 * The opensearch.org/v1 custom resources of the log cluster (operator 3.0.4, CRDs vendored):
 * the cluster with hot and warm pools here; its roles, role bindings, users, index template and
 * snapshot policy in resources.ts. The ISM policy is not among them (docs/logging.md: operator
 * issues).
 */

export const API = "opensearch.org/v1";

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
  /** Dashboards' serving certificate, the program's (its CA helpers are components/opensearch/tls), renewed early. */
  dashboardsTls: `${OPENSEARCH_CLUSTER}-dashboards-tls`,
  /** config.yml only (sso.ts); the operator adds internal_users.yml. */
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

export const meta = (config: StackConfig, name: string) => ({
  name,
  namespace: config.logging.namespace,
  labels: { "app.kubernetes.io/part-of": "port8000-monitoring" },
});
export const clusterRef = { opensearchCluster: { name: OPENSEARCH_CLUSTER } };

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
