import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { irsaRole } from "../irsa";
import {
  backupPolicy,
  backupRoleName,
  OBJSTORE_SECRET_KEY,
  OBJSTORE_SECRET_NAME,
  PROMETHEUS_SERVICE_ACCOUNT,
  prometheusBackupValues,
  renderObjstoreConfig,
} from "./policy";

export { backupPrefix, PROMETHEUS_SERVICE_ACCOUNT } from "./policy";

export interface PrometheusBackupArgs {
  readonly config: StackConfig;
  readonly namespace: pulumi.Input<string>;
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * The backup path of Prometheus (docs/backups.md): the IRSA role the Thanos sidecar uploads
 * with, and the objstore.yml Secret naming the bucket and prefix. `helmValues` joins the chart.
 */
export class PrometheusBackup extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;
  readonly helmValues: ReturnType<typeof prometheusBackupValues>;
  readonly secret: k8s.core.v1.Secret;

  constructor(name: string, args: PrometheusBackupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("port8000:prometheus:Backup", name, {}, opts);
    const { config } = args;
    const { oidcProviderArn } = config.cluster;
    if (!oidcProviderArn) throw new pulumi.RunError("cluster.oidcProviderArn: required");
    const role = irsaRole(
      name,
      {
        roleName: backupRoleName(config),
        oidcProviderArn,
        namespace: config.cluster.namespace,
        serviceAccount: PROMETHEUS_SERVICE_ACCOUNT,
        policy: backupPolicy(config),
      },
      { parent: this },
    );
    this.secret = new k8s.core.v1.Secret(
      `${name}-objstore`,
      {
        metadata: {
          name: OBJSTORE_SECRET_NAME,
          namespace: args.namespace,
          labels: { "app.kubernetes.io/part-of": "port8000-monitoring" },
        },
        stringData: { [OBJSTORE_SECRET_KEY]: renderObjstoreConfig(config) },
      },
      { parent: this, dependsOn: args.dependsOn },
    );
    this.roleArn = role.arn;
    this.helmValues = prometheusBackupValues(role.arn);
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
