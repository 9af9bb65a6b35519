import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { StackConfig } from "../config";
import { irsaRole } from "../irsa";
import { ROLE_ANNOTATION } from "../prometheus-backup/policy";
import {
  AUTH_KEYS,
  QUERY_USER,
  queryIngress,
  renderWebConfig,
  serviceMonitor,
  thanosNetworkPolicies,
} from "./access";
import { type BlockSource, blockSources, renderSourceObjstore, sourcePolicy } from "./bucket";
import { podLabels, roleName, type ThanosRole, workloadName } from "./names";
import {
  deployment,
  disruptionBudget,
  OBJSTORE_KEY,
  objstoreSecretName,
  QUERY_AUTH_SECRET,
  service,
  WEB_CONFIG_KEY,
} from "./workloads";

export { sidecarDiscoveryValues } from "./access";

export interface LongTermMetricsArgs {
  readonly config: StackConfig;
  readonly namespace: pulumi.Input<string>;
  /** The chart release: it installs the ServiceMonitor CRD and runs the sidecars Query reads. */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * Long-term metrics (docs/backups.md): Thanos Query over the HA pair's sidecars and the Store
 * Gateways, the Store Gateways over the archived blocks, the Compactor that downsamples and
 * expires them; each bucket role with its own IRSA role. Grafana reads Query (datasource).
 */
export class LongTermMetrics extends pulumi.ComponentResource {
  /** What Grafana's Prometheus datasource reads, with basic auth. */
  readonly queryUrl: string;
  readonly queryUser = QUERY_USER;
  readonly queryPassword: pulumi.Output<string>;

  constructor(name: string, args: LongTermMetricsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("port8000:thanos:LongTermMetrics", name, {}, opts);
    const { config } = args;
    const child = { parent: this, dependsOn: args.dependsOn };
    const password = new random.RandomPassword(
      `${name}-query-password`,
      { length: 40, special: false },
      { parent: this },
    );
    new k8s.core.v1.Secret(
      `${name}-query-auth`,
      {
        metadata: {
          name: QUERY_AUTH_SECRET,
          namespace: args.namespace,
          labels: podLabels("query"),
        },
        stringData: {
          [AUTH_KEYS.username]: QUERY_USER,
          [AUTH_KEYS.password]: password.result,
          [WEB_CONFIG_KEY]: pulumi.secret(password.bcryptHash.apply(renderWebConfig)),
        },
      },
      child,
    );
    this.workload(name, config, "query", undefined, child);
    for (const source of blockSources(config))
      this.workload(name, config, source.role, source, child);
    new k8s.networking.v1.Ingress(`${name}-query-ingress`, queryIngress(config), child);
    for (const policy of thanosNetworkPolicies(config))
      new k8s.networking.v1.NetworkPolicy(`${name}-${policy.metadata.name}`, policy, child);
    this.queryUrl = config.dashboards.datasources.prometheusUrl;
    this.queryPassword = pulumi.secret(password.result);
    this.registerOutputs({ queryUrl: this.queryUrl });
  }

  private workload(
    name: string,
    config: StackConfig,
    role: ThanosRole,
    source: BlockSource | undefined,
    opts: pulumi.CustomResourceOptions,
  ): void {
    const prefix = `${name}-${role}`;
    const roleArn = source ? this.bucketRole(prefix, config, role, source) : undefined;
    new k8s.core.v1.ServiceAccount(
      `${prefix}-account`,
      {
        metadata: {
          name: workloadName(role),
          namespace: config.cluster.namespace,
          labels: podLabels(role),
          ...(roleArn ? { annotations: { [ROLE_ANNOTATION]: roleArn } } : {}),
        },
        automountServiceAccountToken: false,
      },
      opts,
    );
    if (source)
      new k8s.core.v1.Secret(
        `${prefix}-objstore`,
        {
          metadata: {
            name: objstoreSecretName(role),
            namespace: config.cluster.namespace,
            labels: podLabels(role),
          },
          stringData: { [OBJSTORE_KEY]: renderSourceObjstore(config, source) },
        },
        opts,
      );
    new k8s.apps.v1.Deployment(`${prefix}-deployment`, deployment(config, role), opts);
    new k8s.core.v1.Service(`${prefix}-service`, service(config, role), opts);
    const budget = disruptionBudget(config, role);
    if (budget) new k8s.policy.v1.PodDisruptionBudget(`${prefix}-disruption-budget`, budget, opts);
    new k8s.apiextensions.CustomResource(
      `${prefix}-monitor`,
      serviceMonitor(config, role) as k8s.apiextensions.CustomResourceArgs,
      opts,
    );
  }

  private bucketRole(
    prefix: string,
    config: StackConfig,
    role: ThanosRole,
    source: BlockSource,
  ): pulumi.Output<string> {
    const oidc = config.cluster.oidcProviderArn;
    if (!oidc)
      throw new pulumi.RunError(
        "cluster.oidcProviderArn: required (Thanos reads the archive through IRSA)",
      );
    const iamRole = irsaRole(
      prefix,
      {
        roleName: roleName(config, role),
        oidcProviderArn: oidc,
        namespace: config.cluster.namespace,
        serviceAccount: workloadName(role),
        policy: sourcePolicy(config, source),
      },
      { parent: this },
    );
    return iamRole.arn;
  }
}
