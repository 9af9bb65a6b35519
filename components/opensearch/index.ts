import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { sha256Hex } from "../../lib/checksum";
import { Chart } from "../../lib/conventions";
import type { StackConfig } from "../config";
import { pinImage } from "../logging";
import { METRICS_USER, OPENSEARCH_CLUSTER, PipelineUser, TlsFile } from "../logging/names";
import { Secrets } from "../logging/workloads";
import {
  ClusterSecrets,
  type CustomResource,
  DASHBOARDS_SERVER_USER,
  dashboardsDnsNames,
  opensearchCluster,
} from "./cluster";
import { snapshotsReadOnly } from "./documents";
import { clusterImageTags, SNAPSHOT_SERVICE_ACCOUNT } from "./pods";
import { POLICY_JOB, policyFiles, policyJobName, policyJobSpec } from "./policy-job";
import {
  grafanaLogsUser,
  opensearchIndexTemplate,
  opensearchRoleBindings,
  opensearchRoles,
  opensearchSnapshotPolicy,
  opensearchUsers,
} from "./resources";
import { COOKIE_SECRET_KEY, OIDC_SECRET_KEY, securityConfigFiles } from "./sso";
import { leafCertificate, programCa } from "./tls";

export { OpenSearchStateExporter } from "./state";

type SecretFactory = (
  role: string,
  secretName: string,
  stringData: Record<string, pulumi.Input<string>>,
) => k8s.core.v1.Secret;

/** Secrets of the logging namespace, named `<component>-<role>` in Pulumi. */
function namespacedSecret(
  prefix: string,
  namespace: string,
  opts: pulumi.CustomResourceOptions,
): SecretFactory {
  return (role, secretName, stringData) =>
    new k8s.core.v1.Secret(
      `${prefix}-${role}`,
      { metadata: { name: secretName, namespace }, stringData },
      opts,
    );
}

/** A generated password (letters and digits: safe in any config file), as a Pulumi secret. */
function randomPassword(
  prefix: string,
  role: string,
  opts: pulumi.CustomResourceOptions,
  length = 32,
): pulumi.Output<string> {
  const password = new random.RandomPassword(`${prefix}-${role}`, { length, special: false }, opts);
  return pulumi.secret(password.result);
}

export interface LogSearchClusterArgs {
  readonly config: StackConfig;
  /** The admin password (opensearchAdminPassword); stays a Pulumi secret. */
  readonly adminPassword: pulumi.Input<string>;
  /** Client secret of Dashboards' OpenID sign-in (opensearchOidcClientSecret), with sso. */
  readonly oidcClientSecret?: pulumi.Input<string>;
  /** Password of Grafana's logs datasource user (opensearchGrafanaPassword), when it has one. */
  readonly grafanaPassword?: pulumi.Input<string>;
  /** IRSA role repository-s3 writes snapshots with. */
  readonly snapshotRoleArn: pulumi.Input<string>;
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * OpenSearch through the pinned opensearch-operator: the cluster (security plugin on, hot and
 * warm pools, Dashboards), its roles and role bindings, program users, index template and
 * snapshot policy as operator resources, and the ISM policy and index pattern through a Job.
 */
export class LogSearchCluster extends pulumi.ComponentResource {
  /** Passwords of the program users (Logstash, the automation service); Pulumi secrets. */
  readonly userPasswords: Record<string, pulumi.Output<string>>;
  /** The CA certificate clients verify the cluster's HTTPS with. */
  readonly caCertPem: pulumi.Output<string>;
  /** The scrape user's Secret and the CA Secret Prometheus' OpenSearch monitor reads. */
  readonly metricsSecrets: k8s.core.v1.Secret[];

  constructor(name: string, args: LogSearchClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("port8000:logging:LogSearchCluster", name, {}, opts);
    const { config } = args;
    const namespace = config.logging.namespace;
    const ns = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: namespace,
          labels: { "app.kubernetes.io/part-of": "port8000-monitoring" },
        },
      },
      // Deleting the namespace would delete the cluster and its volumes with it.
      { parent: this, dependsOn: args.dependsOn, protect: true, retainOnDelete: true },
    );
    const child = { parent: this, dependsOn: [ns] };
    const operator = new k8s.helm.v3.Release(
      `${name}-operator`,
      {
        name: Chart.opensearchOperator.name,
        chart: Chart.opensearchOperator.name,
        version: Chart.opensearchOperator.version,
        repositoryOpts: { repo: Chart.opensearchOperator.repo },
        namespace,
        atomic: true,
        timeout: 600,
        // The chart's validating webhook wants cert-manager for its certificate, which this
        // stack does not run; without the webhook the operator still validates as it reconciles.
        values: { webhook: { enabled: false } },
      },
      child,
    );
    const secret = namespacedSecret(name, namespace, child);
    const admin = secret("admin", ClusterSecrets.admin, {
      username: "admin",
      password: pulumi.secret(args.adminPassword),
    });
    const dashboardsServer = secret("dashboards-secret", ClusterSecrets.dashboards, {
      username: DASHBOARDS_SERVER_USER,
      password: randomPassword(name, "dashboards-password", child),
    });
    const signIn = this.declareSignIn(name, args, secret, child);
    const snapshots = new k8s.core.v1.ServiceAccount(
      `${name}-snapshot-account`,
      {
        metadata: {
          name: SNAPSHOT_SERVICE_ACCOUNT,
          namespace,
          annotations: { "eks.amazonaws.com/role-arn": args.snapshotRoleArn },
        },
      },
      child,
    );
    const ca = this.declareHttpCa(name, config, secret, child);
    this.caCertPem = ca.certPem;
    this.userPasswords = {};
    const userSecrets = Object.values(PipelineUser).map((user) => {
      const password = randomPassword(name, `${user}-password`, child);
      this.userPasswords[user] = password;
      return secret(`${user}-secret`, ClusterSecrets.user(user), { password });
    });
    // Prometheus reads username and password; the operator hashes the password.
    const metrics = secret("metrics-user-secret", ClusterSecrets.user(METRICS_USER), {
      username: METRICS_USER,
      password: randomPassword(name, "metrics-password", child),
    });
    userSecrets.push(metrics);
    this.metricsSecrets = [metrics, ...ca.secrets];
    const grafana = grafanaLogsUser(config);
    if (grafana && args.grafanaPassword) {
      userSecrets.push(
        secret("grafana-user-secret", ClusterSecrets.user(grafana), {
          password: pulumi.secret(args.grafanaPassword),
        }),
      );
    }
    const custom = (role: string, body: CustomResource, deps: pulumi.Resource[], protect = false) =>
      new k8s.apiextensions.CustomResource(
        `${name}-${role}`,
        body as unknown as k8s.apiextensions.CustomResourceArgs,
        { parent: this, dependsOn: deps, protect, retainOnDelete: protect },
      );
    // The indices live on the cluster's volumes: deleting it must be deliberate.
    const cluster = custom(
      "cluster",
      this.clusterWithPinnedImages(config, ca.dashboardsCertPem),
      // The operator signs the HTTP certificates with the CA Secret: it must exist first.
      [operator, admin, dashboardsServer, ...signIn, ...ca.secrets, snapshots],
      true,
    );
    const after = [cluster];
    for (const role of opensearchRoles(config)) custom(`role-${role.metadata.name}`, role, after);
    for (const binding of opensearchRoleBindings(config))
      custom(`binding-${binding.metadata.name}`, binding, after);
    for (const user of opensearchUsers(config))
      custom(`user-${user.metadata.name}`, user, [...after, ...userSecrets]);
    custom("index-template", opensearchIndexTemplate(config), after);
    // On prod's replica (the dr stack) the repository is read-only: nothing may snapshot into it.
    if (!snapshotsReadOnly(config))
      custom("snapshot-policy", opensearchSnapshotPolicy(config), after);
    this.declarePolicyJob(name, config, cluster);
    this.registerOutputs({});
  }

  /** config.yml (who may sign in, and how) and Dashboards' OpenID client secret. */
  private declareSignIn(
    name: string,
    args: LogSearchClusterArgs,
    secret: SecretFactory,
    child: pulumi.CustomResourceOptions,
  ): k8s.core.v1.Secret[] {
    const config = secret(
      "security-config",
      ClusterSecrets.securityConfig,
      securityConfigFiles(args.config),
    );
    if (!args.config.logging.opensearch.sso) return [config];
    if (!args.oidcClientSecret)
      throw new Error("opensearchOidcClientSecret: required with logging.opensearch.sso");
    return [
      config,
      secret("dashboards-oidc", ClusterSecrets.dashboardsOidc, {
        [OIDC_SECRET_KEY]: pulumi.secret(args.oidcClientSecret),
        [COOKIE_SECRET_KEY]: randomPassword(name, "dashboards-cookie", child, 48),
      }),
    ];
  }

  /** The cluster with OpenSearch and Dashboards by digest (the operator would pull tags). */
  private clusterWithPinnedImages(
    config: StackConfig,
    dashboardsCertPem: pulumi.Output<string>,
  ): CustomResource {
    const tags = clusterImageTags(config);
    const spec = pulumi
      .all([
        pinImage(tags.opensearch, { parent: this }),
        pinImage(tags.dashboards, { parent: this }),
        dashboardsCertPem,
      ])
      .apply(
        ([opensearch, dashboards, pem]) =>
          opensearchCluster(config, { ...tags, opensearch, dashboards }, sha256Hex(pem ?? "")).spec,
      );
    const body = opensearchCluster(config);
    return { ...body, spec: spec as unknown as Record<string, unknown> };
  }

  private declareHttpCa(
    name: string,
    config: StackConfig,
    secret: SecretFactory,
    child: pulumi.CustomResourceOptions,
  ) {
    const key = new tls.PrivateKey(
      `${name}-http-ca-key`,
      { algorithm: "RSA", rsaBits: 4096 },
      child,
    );
    const cert = programCa(
      `${name}-http-ca`,
      key.privateKeyPem,
      "port8000 OpenSearch HTTP CA",
      child,
    );
    const dashboards = leafCertificate(
      `${name}-dashboards`,
      {
        caKeyPem: key.privateKeyPem,
        caCertPem: cert.certPem,
        commonName: `${OPENSEARCH_CLUSTER}-dashboards`,
        dnsNames: dashboardsDnsNames(config),
        uses: ["server_auth"],
      },
      child,
    );
    const secrets = [
      secret("http-ca-secret", ClusterSecrets.httpCa, {
        "ca.crt": cert.certPem,
        "ca.key": pulumi.secret(key.privateKeyPem),
      }),
      secret("ca-cert", Secrets.opensearchCa, { "ca.crt": cert.certPem }),
      secret("dashboards-tls", ClusterSecrets.dashboardsTls, {
        [TlsFile.ca]: cert.certPem,
        [TlsFile.cert]: dashboards.cert,
        [TlsFile.key]: dashboards.key,
      }),
    ];
    return { certPem: cert.certPem, dashboardsCertPem: dashboards.cert, secrets };
  }

  private declarePolicyJob(name: string, config: StackConfig, cluster: pulumi.Resource): void {
    const namespace = config.logging.namespace;
    const files = new k8s.core.v1.ConfigMap(
      `${name}-policies`,
      { metadata: { name: POLICY_JOB, namespace }, data: policyFiles(config) },
      { parent: this },
    );
    const image = pinImage(config.logging.images.curl, { parent: this });
    new k8s.batch.v1.Job(
      `${name}-policy-job`,
      {
        metadata: { name: policyJobName(config), namespace },
        spec: image.apply((pinned) => policyJobSpec(config, pinned)),
      },
      // Pulumi waits for a Job to finish, 10 minutes by default; a new cluster (bootstrap,
      // five nodes one by one, security config, Dashboards) can take longer than that.
      {
        parent: this,
        dependsOn: [cluster, files],
        customTimeouts: { create: "45m", update: "45m" },
      },
    );
  }
}
