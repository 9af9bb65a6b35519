import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig, StackSecrets } from "../config";
import { neededReceiverSecrets } from "./local";
import { RECEIVER_SECRET_NAME, ReceiverSecretFile } from "./paths";
import { snsPublishPolicy, snsTrustPolicy } from "./sns-role";

export { alertmanagerHelmValues } from "./helm-values";
export { RECEIVER_SECRET_NAME, ReceiverSecretFile } from "./paths";
export { ALERTMANAGER_SERVICE_ACCOUNT, ROLE_ANNOTATION } from "./sns-role";

export interface AlertmanagerReceiverSecretArgs {
  readonly config: StackConfig;
  readonly secrets: StackSecrets;
  /** The Secret waits for these (the deploy-freeze gate). */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * The Kubernetes Secret Alertmanager mounts (alertmanagerSpec.secrets) for its `*_file`
 * credentials. Values join here, from Pulumi secrets, and stay secret.
 */
export class AlertmanagerReceiverSecret extends pulumi.ComponentResource {
  readonly secretName: pulumi.Output<string>;

  constructor(
    name: string,
    args: AlertmanagerReceiverSecretArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("port8000:alertmanager:ReceiverSecret", name, {}, opts);
    const entries = neededReceiverSecrets(args.config).map((key) => {
      const value = args.secrets[key];
      if (!value)
        throw new pulumi.RunError(`${key}: missing secret for the Alertmanager receivers`);
      return [ReceiverSecretFile[key], pulumi.secret(value)] as const;
    });
    const secret = new k8s.core.v1.Secret(
      `${name}-secret`,
      {
        metadata: {
          name: RECEIVER_SECRET_NAME,
          namespace: args.config.cluster.namespace,
          labels: { "app.kubernetes.io/part-of": "port8000-monitoring" },
        },
        stringData: Object.fromEntries(entries),
      },
      { parent: this, dependsOn: args.dependsOn },
    );
    this.secretName = secret.metadata.name;
    this.registerOutputs({ secretName: this.secretName });
  }
}

export interface AlertmanagerSnsRoleArgs {
  readonly config: StackConfig;
}

/** The IRSA role Alertmanager's service account assumes to publish the SMS backup. */
export class AlertmanagerSnsRole extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: AlertmanagerSnsRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("port8000:alertmanager:SnsRole", name, {}, opts);
    const { oidcProviderArn } = args.config.cluster;
    // The config rules require it for every deployed stack; this only narrows the type.
    if (!oidcProviderArn) throw new pulumi.RunError("cluster.oidcProviderArn: required");
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: `port8000-alertmanager-sns-${args.config.deployment.region}`,
        assumeRolePolicy: JSON.stringify(snsTrustPolicy(args.config, oidcProviderArn)),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-publish`,
      { role: role.name, policy: JSON.stringify(snsPublishPolicy(args.config)) },
      { parent: this },
    );
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
