import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { filesChecksum } from "../../lib/checksum";
import type { StackConfig } from "../config";
import { opsNetworkPolicies } from "./network";
import { accessReviewRbac } from "./rbac";
import {
  ACCESS_KEY,
  BUNDLE_KEY,
  cronJobSpec,
  LOADER_KEY,
  OPS_LABELS,
  OPS_NAME,
  OPS_SERVICE_ACCOUNT,
  opsAccessFile,
  opsBundle,
  opsLoader,
  ROUTINES,
  SLACK_KEY,
} from "./workload";

export { OPS_SERVICE_ACCOUNT, REPORTS_PREFIX } from "./workload";

export interface OpsScheduleArgs {
  readonly config: StackConfig;
  /** #deia-ops incoming webhook; stays a Pulumi secret. */
  readonly slackWebhookUrl: pulumi.Input<string>;
  /** IRSA role that may put under metrics/monthly/ in the archive (components/archive). */
  readonly reportRoleArn: pulumi.Input<string>;
  readonly archiveBucket: pulumi.Input<string>;
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** The guide's daily, weekly, monthly and quarterly checklists as CronJobs running the ops CLI. */
export class OpsSchedule extends pulumi.ComponentResource {
  readonly cronJobNames: pulumi.Output<string>[];

  constructor(name: string, args: OpsScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("port8000:ops:OpsSchedule", name, {}, opts);
    const { config } = args;
    const namespace = config.cluster.namespace;
    const child = { parent: this, dependsOn: args.dependsOn };
    const meta = (suffix: string) => ({
      name: `${OPS_NAME}${suffix}`,
      namespace,
      labels: OPS_LABELS,
    });
    const bundle = opsBundle();
    const loader = opsLoader();
    const access = opsAccessFile(config);
    const code = new k8s.core.v1.ConfigMap(
      `${name}-code`,
      {
        metadata: meta("-code"),
        data: { [ACCESS_KEY]: access, [LOADER_KEY]: loader },
        binaryData: { [BUNDLE_KEY]: bundle.toString("base64") },
      },
      child,
    );
    const slack = new k8s.core.v1.Secret(
      `${name}-slack`,
      {
        metadata: meta("-slack"),
        stringData: { [SLACK_KEY]: pulumi.secret(args.slackWebhookUrl) },
      },
      child,
    );
    // No Kubernetes API rights at all; the role annotation is for S3 (IRSA) only.
    const account = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      {
        metadata: {
          name: OPS_SERVICE_ACCOUNT,
          namespace,
          labels: OPS_LABELS,
          annotations: { "eks.amazonaws.com/role-arn": args.reportRoleArn },
        },
        automountServiceAccountToken: false,
      },
      child,
    );
    for (const { routine, policy } of opsNetworkPolicies(config))
      new k8s.networking.v1.NetworkPolicy(`${name}-network-${routine}`, policy, child);
    const review = this.accessReview(name, config, child);
    const checksum = filesChecksum({
      [ACCESS_KEY]: access,
      [LOADER_KEY]: loader,
      [BUNDLE_KEY]: bundle.toString("base64"),
    });
    const image = config.alerting.automation.image;
    this.cronJobNames = ROUTINES.map((routine) => {
      const bucket = routine === "monthly" ? args.archiveBucket : undefined;
      const spec = pulumi.output(bucket).apply((b) => cronJobSpec(config, routine, image, b));
      const job = new k8s.batch.v1.CronJob(
        `${name}-${routine}`,
        {
          metadata: {
            ...meta(`-${routine}`),
            annotations: { "port8000/code-sha256": checksum },
          },
          spec,
        },
        { ...child, dependsOn: [...(args.dependsOn ?? []), code, slack, account, ...review] },
      );
      return job.metadata.name;
    });
    this.registerOutputs({ cronJobNames: this.cronJobNames });
  }

  /** The quarterly job's account and its read-only rights on the bindings. */
  private accessReview(name: string, config: StackConfig, opts: pulumi.CustomResourceOptions) {
    const rbac = accessReviewRbac(config);
    return [
      new k8s.core.v1.ServiceAccount(`${name}-review-sa`, rbac.serviceAccount, opts),
      new k8s.rbac.v1.Role(`${name}-review-role`, rbac.role, opts),
      new k8s.rbac.v1.RoleBinding(`${name}-review-rolebinding`, rbac.roleBinding, opts),
      new k8s.rbac.v1.ClusterRole(`${name}-review-clusterrole`, rbac.clusterRole, opts),
      new k8s.rbac.v1.ClusterRoleBinding(
        `${name}-review-clusterrolebinding`,
        rbac.clusterRoleBinding,
        opts,
      ),
    ];
  }
}
