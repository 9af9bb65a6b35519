import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { nodeBundle } from "../../lib/node-bundle";
import { RESTRICTED_CONTAINER, restrictedPod } from "../../lib/security-context";
import type { StackConfig } from "../config/schema";
import { ALERTMANAGER_PODS, PROMETHEUS_PODS } from "../prometheus/pods";
import { RELEASE_NAME } from "../prometheus/values";

/**
 * The guide's checklists as CronJobs (pure): `ops daily|weekly|monthly`, the same code as
 * `npm run ops`, bundled with esbuild and gzipped into a ConfigMap (vega and autocannon make
 * the plain bundle about 1 MiB, the ConfigMap limit), run by Node from a pinned image.
 */

export const OPS_NAME = "port8000-ops";
export const OPS_SERVICE_ACCOUNT = OPS_NAME;
export const OPS_LABELS = {
  "app.kubernetes.io/name": OPS_NAME,
  "app.kubernetes.io/part-of": "port8000-monitoring",
};
export const REPORTS_PREFIX = "metrics/monthly/";
export const BUNDLE_KEY = "ops.cjs.gz";
export const LOADER_KEY = "run.cjs";
export const SLACK_KEY = "slack-webhook-url";
const CODE_DIR = "/opt/ops";
const SECRET_DIR = "/var/run/secrets/port8000-ops";
const WORK_DIR = "/work";

export type Routine = "daily" | "weekly" | "monthly";
export const ROUTINES: readonly Routine[] = ["daily", "weekly", "monthly"];

/** Guide 3.1 "every morning", 3.2 weekly (Monday), 3.3 monthly (the 1st), in the team's zone. */
export const SCHEDULES: Record<Routine, string> = {
  daily: "0 7 * * *",
  weekly: "0 8 * * 1",
  monthly: "0 9 1 * *",
};

let bundle: Buffer | undefined;
/** ops/main.ts and everything it imports as one CommonJS file, gzipped. */
export function opsBundle(): Buffer {
  bundle ??= gzipSync(
    nodeBundle({ entryPoints: [join(__dirname, "..", "..", "ops", "main.ts")] }),
    { level: 9 },
  );
  return bundle;
}

/** Unpacks the bundle into the writable work dir and runs it with the CronJob's arguments. */
export function opsLoader(): string {
  return readFileSync(join(__dirname, "loader.cjs"), "utf8");
}

export function inClusterUrls(config: StackConfig) {
  const ns = config.cluster.namespace;
  return {
    prometheus: `http://${RELEASE_NAME}-prometheus.${ns}.svc:9090`,
    alertmanager: `http://${RELEASE_NAME}-alertmanager.${ns}.svc:9093`,
  };
}

export function opsArgs(config: StackConfig, routine: Routine, bucket?: string): string[] {
  const urls = inClusterUrls(config);
  const args = [
    `${CODE_DIR}/${LOADER_KEY}`,
    routine,
    "--prometheus",
    urls.prometheus,
    "--alertmanager",
    urls.alertmanager,
    "--out",
    `${WORK_DIR}/reports`,
    "--slack-webhook-file",
    `${SECRET_DIR}/${SLACK_KEY}`,
  ];
  if (routine === "monthly" && bucket)
    args.push("--upload-bucket", bucket, "--upload-prefix", REPORTS_PREFIX);
  return args;
}

function podSpec(config: StackConfig, routine: Routine, image: string, bucket?: string) {
  return {
    serviceAccountName: OPS_SERVICE_ACCOUNT,
    restartPolicy: "Never",
    securityContext: restrictedPod({ user: 1000, group: 1000, fsGroup: 1000 }),
    containers: [
      {
        name: "ops",
        image,
        command: ["node"],
        args: opsArgs(config, routine, bucket),
        env: [
          { name: "OPS_WORK_DIR", value: WORK_DIR },
          { name: "AWS_REGION", value: config.deployment.region },
        ],
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
        securityContext: RESTRICTED_CONTAINER,
        volumeMounts: [
          { name: "code", mountPath: CODE_DIR, readOnly: true },
          { name: "slack", mountPath: SECRET_DIR, readOnly: true },
          { name: "work", mountPath: WORK_DIR },
        ],
      },
    ],
    volumes: [
      { name: "code", configMap: { name: `${OPS_NAME}-code` } },
      { name: "slack", secret: { secretName: `${OPS_NAME}-slack` } },
      { name: "work", emptyDir: { sizeLimit: "256Mi" } },
    ],
  };
}

export function cronJobSpec(config: StackConfig, routine: Routine, image: string, bucket?: string) {
  return {
    schedule: SCHEDULES[routine],
    timeZone: config.escalation?.timeZone ?? "UTC",
    // A run still going when the next is due is a finding of its own, not a second run.
    concurrencyPolicy: "Forbid",
    startingDeadlineSeconds: 3600,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 5,
    jobTemplate: {
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: routine === "daily" ? 900 : 3600,
        ttlSecondsAfterFinished: 7 * 86_400,
        template: {
          metadata: { labels: { ...OPS_LABELS, "port8000/routine": routine } },
          spec: podSpec(config, routine, image, bucket),
        },
      },
    },
  };
}

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"];

/**
 * Nothing reaches the ops pods; they reach Prometheus, Alertmanager, DNS, and HTTPS outside the
 * cluster (Slack's webhook, S3 and STS), nothing else.
 */
export function opsNetworkPolicy(config: StackConfig) {
  const pods = (labels: Record<string, string>) => ({
    podSelector: { matchLabels: { ...labels } },
  });
  return {
    apiVersion: "networking.k8s.io/v1" as const,
    kind: "NetworkPolicy" as const,
    metadata: {
      name: `${OPS_NAME}-egress`,
      namespace: config.cluster.namespace,
      labels: { ...OPS_LABELS },
    },
    spec: {
      podSelector: { matchLabels: { ...OPS_LABELS } },
      policyTypes: ["Ingress", "Egress"],
      ingress: [],
      egress: [
        { to: [pods(PROMETHEUS_PODS)], ports: [{ protocol: "TCP", port: 9090 }] },
        { to: [pods(ALERTMANAGER_PODS)], ports: [{ protocol: "TCP", port: 9093 }] },
        {
          to: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            },
          ],
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
        {
          // Public HTTPS only: private ranges (the cluster, the VPC, instance metadata) stay closed.
          to: [{ ipBlock: { cidr: "0.0.0.0/0", except: PRIVATE_RANGES } }],
          ports: [{ protocol: "TCP", port: 443 }],
        },
      ],
    },
  };
}
