import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { nodeBundle } from "../../lib/node-bundle";
import { RESTRICTED_CONTAINER, restrictedPod } from "../../lib/security-context";
import { expectedAccess } from "../access/matrix";
import { loadTestSeconds, OPS_ROUTINES, type OpsRoutine } from "../config/ops";
import type { StackConfig } from "../config/schema";
import { RELEASE_NAME } from "../prometheus/values";

/**
 * The guide's checklists as CronJobs (pure): `ops daily|weekly|monthly|quarterly`, the same code as
 * `npm run ops`, bundled with esbuild and gzipped into a ConfigMap (vega and autocannon make
 * the plain bundle about 1 MiB, the ConfigMap limit), run by Node from a pinned image.
 */

export const OPS_NAME = "port8000-ops";
export const OPS_SERVICE_ACCOUNT = OPS_NAME;
/** The quarterly job's own account: the only ops pods with a Kubernetes token (components/ops-schedule/rbac.ts). */
export const ACCESS_REVIEW_ACCOUNT = `${OPS_NAME}-access-review`;
export const OPS_LABELS = {
  "app.kubernetes.io/name": OPS_NAME,
  "app.kubernetes.io/part-of": "port8000-monitoring",
};
/** Tells the routines' pods apart, for their NetworkPolicies. */
export const ROUTINE_LABEL = "port8000/routine";
export const REPORTS_PREFIX = "metrics/monthly/";
export const BUNDLE_KEY = "ops.cjs.gz";
export const LOADER_KEY = "run.cjs";
/** What the config grants (components/access/matrix.ts), for the quarterly access review. */
export const ACCESS_KEY = "access.json";
export const SLACK_KEY = "slack-webhook-url";
const CODE_DIR = "/opt/ops";
const SECRET_DIR = "/var/run/secrets/port8000-ops";
const WORK_DIR = "/work";

export type Routine = OpsRoutine;
export const ROUTINES: readonly Routine[] = OPS_ROUTINES;
/** Where the quarterly job says the vulnerability review runs instead (no npm or Go in the image). */
export const VULNERABILITY_REVIEW_IN_CI = ".github/workflows/vulnerabilities.yml (job review)";
/** Time a run needs besides the load test: the monthly trends, charts and upload. */
const RUN_DEADLINE_S: Record<Routine, number> = {
  daily: 900,
  weekly: 3600,
  monthly: 3600,
  quarterly: 3600,
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

/** The config's grants as the quarterly job compares them with the API server's bindings. */
export function opsAccessFile(config: StackConfig): string {
  return `${JSON.stringify(expectedAccess(config), null, 2)}\n`;
}

/** Unpacks the bundle into the writable work dir and runs it with the CronJob's arguments. */
export function opsLoader(): string {
  return readFileSync(join(__dirname, "loader.cjs"), "utf8");
}

export function inClusterUrls(config: StackConfig) {
  const ns = config.cluster.namespace;
  const { name, namespace, port } = config.service;
  return {
    prometheus: `http://${RELEASE_NAME}-prometheus.${ns}.svc:9090`,
    alertmanager: `http://${RELEASE_NAME}-alertmanager.${ns}.svc:9093`,
    /** Port 8000's Service, as the monitoring namespace reaches it. */
    port8000: `http://${name}.${namespace}.svc.cluster.local:${port}`,
  };
}

/** What a routine adds to the common flags: the registry, the load test, the CI pointer. */
function routineArgs(config: StackConfig, routine: Routine): string[] {
  const { port8000 } = inClusterUrls(config);
  if (routine === "daily") return ["--registry", `${port8000}${config.service.registryPath}`];
  if (routine === "quarterly")
    return [
      "--expected-access",
      `${CODE_DIR}/${ACCESS_KEY}`,
      "--kubernetes",
      "in-cluster",
      "--vulnerability-review-in-ci",
      VULNERABILITY_REVIEW_IN_CI,
    ];
  if (routine !== "monthly") return [];
  const { loadTest } = config.ops;
  return [
    "--load-test",
    "--target",
    `${port8000}${loadTest.path}`,
    "--duration",
    `${loadTestSeconds(config.ops)}s`,
    "--connections",
    String(loadTest.connections),
    ...(loadTest.rate ? ["--rate", String(loadTest.rate)] : []),
  ];
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
    ...routineArgs(config, routine),
  ];
  if (routine === "monthly" && bucket)
    args.push("--upload-bucket", bucket, "--upload-prefix", REPORTS_PREFIX);
  return args;
}

function podSpec(config: StackConfig, routine: Routine, image: string, bucket?: string) {
  const reviewsAccess = routine === "quarterly";
  return {
    serviceAccountName: reviewsAccess ? ACCESS_REVIEW_ACCOUNT : OPS_SERVICE_ACCOUNT,
    automountServiceAccountToken: reviewsAccess,
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
    schedule: config.ops.schedule[routine],
    timeZone: config.escalation?.timeZone ?? "UTC",
    // A run still going when the next is due is a finding of its own, not a second run.
    concurrencyPolicy: "Forbid",
    startingDeadlineSeconds: 3600,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 5,
    jobTemplate: {
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: activeDeadlineSeconds(config, routine),
        ttlSecondsAfterFinished: 7 * 86_400,
        template: {
          metadata: { labels: { ...OPS_LABELS, [ROUTINE_LABEL]: routine } },
          spec: podSpec(config, routine, image, bucket),
        },
      },
    },
  };
}

/** Long enough for the routine, and for monthly also for the whole load test. */
export function activeDeadlineSeconds(config: StackConfig, routine: Routine): number {
  const load = routine === "monthly" ? loadTestSeconds(config.ops) : 0;
  return RUN_DEADLINE_S[routine] + load;
}
