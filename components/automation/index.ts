import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { filesChecksum } from "../../lib/checksum";
import { restrictedPod } from "../../lib/security-context";
import { AUTOMATION_SERVICE_NAME } from "../alertmanager/receivers";
import type { StackConfig } from "../config";
import { podDisruptionBudget } from "../hardening/disruption-budget";
import {
  EVIDENCE_SECRET,
  EvidenceKey,
  evidencePollerContainer,
  POLLER_LABELS,
  POLLER_NAME,
} from "./evidence-workload";
import {
  ANNOTATION_KEYS,
  automationContainer,
  LABELS,
  LOG_ROTATION_CRONJOB,
  logRotationJobSpec,
  publicIngressManifest,
  restartRule,
  serviceCode,
  TOKEN_KEY,
} from "./workload";

export interface AutomationServiceArgs {
  readonly config: StackConfig;
  /** Bearer token Alertmanager presents; stays a Pulumi secret. */
  readonly token: pulumi.Input<string>;
  /** The deploy-freeze ConfigMap the service writes (components/deploy-freeze). */
  readonly freezeConfigMap: pulumi.Input<string>;
  /** Deploy and PagerDuty annotation webhooks (guide 1.4); all secrets. Off when unset. */
  readonly annotations?: {
    readonly grafanaToken: pulumi.Input<string>;
    readonly deployToken: pulumi.Input<string>;
    readonly pagerdutyWebhookSecret: pulumi.Input<string>;
  };
  /** Children wait for these (the deploy-freeze gate). */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
  /** Log evidence for pages: OpenSearch credentials and CA, the Slack webhook; all secret. */
  readonly evidence?: {
    readonly opensearchPassword: pulumi.Input<string>;
    readonly opensearchCaPem: pulumi.Input<string>;
    readonly slackWebhookUrl: pulumi.Input<string>;
  };
}

function tokenData(args: AutomationServiceArgs): Record<string, pulumi.Output<string>> {
  const data = { [TOKEN_KEY]: pulumi.secret(args.token) };
  const a = args.annotations;
  if (!a) return data;
  return {
    ...data,
    [ANNOTATION_KEYS.grafanaToken]: pulumi.secret(a.grafanaToken),
    [ANNOTATION_KEYS.deployToken]: pulumi.secret(a.deployToken),
    [ANNOTATION_KEYS.pagerdutySecret]: pulumi.secret(a.pagerdutyWebhookSecret),
  };
}

/** The `automation` receiver: Node 24 running the service's TypeScript from a ConfigMap. */
export class AutomationService extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: AutomationServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("port8000:automation:AutomationService", name, {}, opts);
    const { config } = args;
    const namespace = config.cluster.namespace;
    const meta = (suffix: string) => ({
      name: `${AUTOMATION_SERVICE_NAME}${suffix}`,
      namespace,
      labels: LABELS,
    });
    const child = { parent: this, dependsOn: args.dependsOn };
    const code = serviceCode();
    const codeChecksum = filesChecksum(code);

    const codeMap = new k8s.core.v1.ConfigMap(
      `${name}-code`,
      { metadata: meta("-code"), data: code },
      child,
    );
    const tokenSecret = new k8s.core.v1.Secret(
      `${name}-token`,
      { metadata: meta("-token"), stringData: tokenData(args) },
      child,
    );
    const access = this.declareAccess(name, args, meta);
    new k8s.batch.v1.CronJob(
      `${name}-log-rotation`,
      {
        metadata: { name: LOG_ROTATION_CRONJOB, namespace, labels: LABELS },
        // Suspended: a template the service (or `kubectl create job --from`) instantiates.
        spec: {
          suspend: true,
          schedule: "0 4 * * *",
          jobTemplate: { spec: logRotationJobSpec(config) },
        },
      },
      child,
    );
    new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: meta(""),
        spec: {
          replicas: config.ha.automationReplicas,
          selector: { matchLabels: LABELS },
          template: {
            metadata: {
              labels: LABELS,
              annotations: { "port8000/code-sha256": codeChecksum },
            },
            spec: {
              serviceAccountName: AUTOMATION_SERVICE_NAME,
              securityContext: restrictedPod({ user: 1000, group: 1000 }),
              containers: [
                pulumi
                  .output(args.freezeConfigMap)
                  .apply((cm) => automationContainer(config, cm, Boolean(args.annotations))),
              ],
              volumes: [
                { name: "code", configMap: { name: `${AUTOMATION_SERVICE_NAME}-code` } },
                { name: "token", secret: { secretName: `${AUTOMATION_SERVICE_NAME}-token` } },
                ...(args.annotations ? [{ name: "state", emptyDir: { sizeLimit: "64Mi" } }] : []),
              ],
            },
          },
        },
      },
      // The pods mount the code and the token and run as the service account: all must exist.
      {
        parent: this,
        dependsOn: [...(args.dependsOn ?? []), codeMap, tokenSecret, ...access],
      },
    );
    const budget = podDisruptionBudget({
      name: AUTOMATION_SERVICE_NAME,
      namespace,
      pods: LABELS,
      replicas: config.ha.automationReplicas,
    });
    if (budget) new k8s.policy.v1.PodDisruptionBudget(`${name}-disruption-budget`, budget, child);
    const port = config.alerting.automation.port;
    new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: meta(""),
        spec: { selector: LABELS, ports: [{ name: "http", port, targetPort: "http" }] },
      },
      child,
    );
    const ingress = publicIngressManifest(config);
    if (ingress) new k8s.networking.v1.Ingress(`${name}-public-ingress`, ingress, child);
    if (args.evidence)
      new EvidencePoller(
        `${name}-evidence`,
        { config, ...args.evidence, code: codeMap, codeChecksum },
        child,
      );
    this.url = pulumi.output(`http://${AUTOMATION_SERVICE_NAME}.${namespace}.svc:${port}`);
    this.registerOutputs({ url: this.url });
  }

  /**
   * Least privilege: read one CronJob, create Jobs, read and update (PUT with resourceVersion)
   * the freeze ConfigMap. Returns the ServiceAccount, Role and RoleBinding.
   */
  private declareAccess(
    name: string,
    args: AutomationServiceArgs,
    meta: (s: string) => object,
  ): pulumi.Resource[] {
    const child = { parent: this, dependsOn: args.dependsOn };
    const account = new k8s.core.v1.ServiceAccount(
      `${name}-account`,
      { metadata: meta("") },
      child,
    );
    const role = new k8s.rbac.v1.Role(
      `${name}-role`,
      {
        metadata: meta(""),
        rules: [
          {
            apiGroups: ["batch"],
            resources: ["cronjobs"],
            resourceNames: [LOG_ROTATION_CRONJOB],
            verbs: ["get"],
          },
          { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create"] },
          {
            apiGroups: [""],
            resources: ["configmaps"],
            resourceNames: [pulumi.output(args.freezeConfigMap)],
            verbs: ["get", "update"],
          },
        ],
      },
      child,
    );
    const binding = new k8s.rbac.v1.RoleBinding(
      `${name}-binding`,
      {
        metadata: meta(""),
        roleRef: {
          apiGroup: "rbac.authorization.k8s.io",
          kind: "Role",
          name: AUTOMATION_SERVICE_NAME,
        },
        subjects: [
          {
            kind: "ServiceAccount",
            name: AUTOMATION_SERVICE_NAME,
            namespace: args.config.cluster.namespace,
          },
        ],
      },
      child,
    );
    return [account, role, binding, ...this.declareRestartAccess(name, args)];
  }

  /**
   * The controlled restart (restart.ts): read and patch the one Port 8000 Deployment, in its
   * own namespace, and nothing else there.
   */
  private declareRestartAccess(name: string, args: AutomationServiceArgs): pulumi.Resource[] {
    const { config } = args;
    const child = { parent: this, dependsOn: args.dependsOn };
    const metadata = {
      name: `${AUTOMATION_SERVICE_NAME}-restart`,
      namespace: config.service.namespace,
      labels: LABELS,
    };
    const role = new k8s.rbac.v1.Role(
      `${name}-restart-role`,
      { metadata, rules: [restartRule(config)] },
      child,
    );
    const binding = new k8s.rbac.v1.RoleBinding(
      `${name}-restart-binding`,
      {
        metadata,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: metadata.name },
        subjects: [
          {
            kind: "ServiceAccount",
            name: AUTOMATION_SERVICE_NAME,
            namespace: config.cluster.namespace,
          },
        ],
      },
      { ...child, dependsOn: [role] },
    );
    return [role, binding];
  }
}

export interface EvidencePollerArgs {
  readonly config: StackConfig;
  readonly opensearchPassword: pulumi.Input<string>;
  readonly opensearchCaPem: pulumi.Input<string>;
  readonly slackWebhookUrl: pulumi.Input<string>;
  /** The service's code ConfigMap (evidence.ts and the OpenSearch client), and its checksum. */
  readonly code: k8s.core.v1.ConfigMap;
  readonly codeChecksum: string;
}

/**
 * Log evidence for pages: one replica polls Alertmanager (a second would post twice), with
 * the service's code and no Kubernetes API access. `Recreate`: no overlap on rollouts either.
 */
export class EvidencePoller extends pulumi.ComponentResource {
  constructor(name: string, args: EvidencePollerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("port8000:automation:EvidencePoller", name, {}, opts);
    const namespace = args.config.cluster.namespace;
    const secret = new k8s.core.v1.Secret(
      `${name}-secret`,
      {
        metadata: { name: EVIDENCE_SECRET, namespace, labels: LABELS },
        stringData: {
          [EvidenceKey.password]: pulumi.secret(args.opensearchPassword),
          [EvidenceKey.ca]: args.opensearchCaPem,
          [EvidenceKey.slack]: pulumi.secret(args.slackWebhookUrl),
        },
      },
      { parent: this },
    );
    new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: { name: POLLER_NAME, namespace, labels: POLLER_LABELS },
        spec: {
          replicas: 1,
          strategy: { type: "Recreate" },
          selector: { matchLabels: POLLER_LABELS },
          template: {
            metadata: {
              labels: POLLER_LABELS,
              annotations: { "port8000/code-sha256": args.codeChecksum },
            },
            spec: {
              automountServiceAccountToken: false,
              securityContext: restrictedPod({ user: 1000, group: 1000 }),
              containers: [evidencePollerContainer(args.config)],
              volumes: [
                { name: "code", configMap: { name: `${AUTOMATION_SERVICE_NAME}-code` } },
                { name: "evidence", secret: { secretName: EVIDENCE_SECRET } },
              ],
            },
          },
        },
      },
      { parent: this, dependsOn: [args.code, secret] },
    );
    this.registerOutputs({});
  }
}
