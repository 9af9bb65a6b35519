import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PAGERDUTY_PATH } from "../../automation/paths";
import { AlertName } from "../../lib/alert-names";
import { POLICY_EXEMPTION_PREFIX, PolicyName } from "../../lib/conventions";
import { parseDurationMs } from "../../lib/duration";
import { nodeBundle } from "../../lib/node-bundle";
import { RESTRICTED_CONTAINER, RUNTIME_DEFAULT_SECCOMP } from "../../lib/security-context";
import { AUTOMATION_SERVICE_NAME } from "../alertmanager/receivers";
import type { StackConfig } from "../config/schema";

/** Pure pieces of the automation workload: its code, entry, labels and the pod spec. */

/**
 * The entry's modules: server.ts and cluster.ts first; every further file is a plugin
 * (routesFromEnv). evidence.ts adds none: the evidence poller runs it (evidence-workload.ts).
 * The modules they import ship beside them (serviceModules).
 */
export const SERVICE_FILES = [
  "server.ts",
  "cluster.ts",
  "annotations.ts",
  "evidence.ts",
  "restart.ts",
] as const;
/** The official OpenSearch client, bundled into one file shipped beside the service. */
export const CLIENT_BUNDLE = "opensearch-client.cjs";
export const CODE_DIR = "/app";
export const TOKEN_DIR = "/var/run/automation";
export const TOKEN_KEY = "token";
export const LOG_ROTATION_CRONJOB = "port8000-log-rotation";
/** Keys of the token Secret the annotation webhooks read (annotations.ts). */
export const ANNOTATION_KEYS = {
  grafanaToken: "grafana-token",
  deployToken: "deploy-token",
  pagerdutySecret: "pagerduty-webhook-secret",
} as const;
export const STATE_DIR = "/var/lib/automation";
/** The alerts the service acts on (server.ts, actionsFor): disk space and memory leak. */
export const AUTOMATION_ALERTS = {
  diskSpace: AlertName.HostDiskSpaceLow,
  memoryLeak: AlertName.Port8000MemoryLeak,
} as const;

/** Node 24 strips the types of /app/*.ts on import; no build step, no image of our own. */
export const ENTRY = `Promise.all(${JSON.stringify(SERVICE_FILES)}.map((f) => import("${CODE_DIR}/" + f))).then(([s, c, ...plugins]) => c.main(s.startAutomationServer, plugins)).catch((e) => { console.error(e); process.exit(1); })`;

export const SERVICE_DIR = join(__dirname, "../../automation");

/** Every module of the service (automation/): the entry's files and the siblings they import. */
export function serviceModules(): string[] {
  return readdirSync(SERVICE_DIR)
    .filter((f) => f.endsWith(".ts"))
    .sort();
}

export function serviceCode(): Record<string, string> {
  return {
    ...Object.fromEntries(
      serviceModules().map((f) => [f, readFileSync(join(SERVICE_DIR, f), "utf8")]),
    ),
    [CLIENT_BUNDLE]: opensearchClientBundle(),
  };
}

let bundle: string | undefined;
/**
 * The client and its dependencies as one CommonJS file, built from the pinned package at
 * deploy time: the pod needs no registry and no install step, and the code checksum changes
 * with the client version. Minified to stay far below the ConfigMap limit (1 MiB).
 */
export function opensearchClientBundle(): string {
  bundle ??= Buffer.from(
    nodeBundle({
      stdin: {
        contents: 'module.exports = require("@opensearch-project/opensearch");',
        resolveDir: __dirname,
      },
    }),
  ).toString("utf8");
  return bundle;
}

export const LABELS = {
  "app.kubernetes.io/name": "port8000-automation",
  "app.kubernetes.io/part-of": "port8000-monitoring",
};

/** Turns on the deploy and PagerDuty annotation webhooks, queued under STATE_DIR. */
function annotationEnv(config: StackConfig) {
  return [
    { name: "GRAFANA_URL", value: config.grafana.url },
    { name: "GRAFANA_TOKEN_FILE", value: `${TOKEN_DIR}/${ANNOTATION_KEYS.grafanaToken}` },
    { name: "DEPLOY_TOKEN_FILE", value: `${TOKEN_DIR}/${ANNOTATION_KEYS.deployToken}` },
    { name: "PAGERDUTY_SECRET_FILE", value: `${TOKEN_DIR}/${ANNOTATION_KEYS.pagerdutySecret}` },
    { name: "ANNOTATION_STATE_DIR", value: `${STATE_DIR}/annotations` },
  ];
}

export function automationContainer(
  config: StackConfig,
  freezeConfigMap: string,
  annotations = false,
) {
  const { port, image } = config.alerting.automation;
  const probe = { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10 };
  return {
    name: "automation",
    image,
    command: ["node", "-e", ENTRY],
    ports: [{ name: "http", containerPort: port }],
    env: [
      { name: "PORT", value: String(port) },
      { name: "TOKEN_FILE", value: `${TOKEN_DIR}/${TOKEN_KEY}` },
      { name: "LOG_ROTATION_CRONJOB", value: LOG_ROTATION_CRONJOB },
      { name: "HEAP_SNAPSHOT_URL", value: config.service.heapSnapshotUrl },
      { name: "FREEZE_CONFIGMAP", value: freezeConfigMap },
      { name: "DISK_SPACE_ALERT", value: AUTOMATION_ALERTS.diskSpace },
      { name: "MEMORY_LEAK_ALERT", value: AUTOMATION_ALERTS.memoryLeak },
      ...restartEnv(config),
      ...(annotations ? annotationEnv(config) : []),
    ],
    volumeMounts: [
      { name: "code", mountPath: CODE_DIR, readOnly: true },
      { name: "token", mountPath: TOKEN_DIR, readOnly: true },
      ...(annotations ? [{ name: "state", mountPath: STATE_DIR }] : []),
    ],
    resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "128Mi" } },
    readinessProbe: probe,
    livenessProbe: { ...probe, initialDelaySeconds: 10 },
    securityContext: RESTRICTED_CONTAINER,
  };
}

/** The controlled restart's target (restart.ts) and its window; the Role names the same. */
function restartEnv(config: StackConfig) {
  const cooldown = parseDurationMs(config.alerting.automation.restartCooldown) / 1000;
  return [
    { name: "RESTART_NAMESPACE", value: config.service.namespace },
    { name: "RESTART_DEPLOYMENT", value: config.service.name },
    { name: "RESTART_COOLDOWN_SECONDS", value: String(cooldown) },
  ];
}

/** RBAC rule of the restart: get and patch the Port 8000 Deployment, by name. */
export function restartRule(config: StackConfig) {
  return {
    apiGroups: ["apps"],
    resources: ["deployments"],
    resourceNames: [config.service.name],
    verbs: ["get", "patch"],
  };
}

/** Where the Job mounts the node's root filesystem. */
export const HOST_ROOT = "/host";

/**
 * Why the log-rotation pods may do what the policy pack refuses elsewhere (docs/policy.md):
 * documented on the pod template, where the policy reads it.
 */
export const LOG_ROTATION_EXEMPTIONS = {
  [PolicyName.containersNonRoot]:
    "chroot into the node's root and logrotate rename, truncate and re-create root-owned files in the node's /var/log",
};

/**
 * Root for the node's files, with only what chroot and logrotate (create, chown) need. The
 * container's own filesystem stays read-only: every write lands in the node's (the mount).
 */
const LOG_ROTATION_SECURITY = {
  runAsUser: 0,
  runAsNonRoot: false,
  privileged: false,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: {
    drop: ["ALL"],
    add: ["SYS_CHROOT", "CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID"],
  },
};

function exemptionAnnotations(exemptions: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(exemptions).map(([policy, reason]) => [
      `${POLICY_EXEMPTION_PREFIX}${policy}`,
      reason,
    ]),
  );
}

/**
 * The log-rotation Job template (guide 2.5): the node's own logrotate, with the node's configs
 * and state file, through chroot into the node's root. Nothing is installed at start, so it
 * runs during a disk incident even when registries or the network are unreachable.
 */
export function logRotationJobSpec(config: StackConfig) {
  const { logRotationCommand, logRotationImage } = config.alerting.automation;
  return {
    backoffLimit: 1,
    ttlSecondsAfterFinished: 86_400,
    template: {
      metadata: {
        labels: { ...LABELS, "app.kubernetes.io/component": "log-rotation" },
        annotations: exemptionAnnotations(LOG_ROTATION_EXEMPTIONS),
      },
      spec: {
        restartPolicy: "Never",
        securityContext: RUNTIME_DEFAULT_SECCOMP,
        containers: [
          {
            name: "logrotate",
            image: logRotationImage,
            command: ["chroot", HOST_ROOT, ...logRotationCommand],
            volumeMounts: [{ name: "host-root", mountPath: HOST_ROOT }],
            resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "128Mi" } },
            securityContext: LOG_ROTATION_SECURITY,
          },
        ],
        volumes: [{ name: "host-root", hostPath: { path: "/", type: "Directory" } }],
      },
    },
  };
}

/** Name of the Ingress that publishes PagerDuty's webhook path. */
export const PUBLIC_INGRESS_NAME = "port8000-automation-public";

/**
 * The Ingress for PagerDuty's incident webhooks: the one `Exact` path, on the configured host
 * and class, over TLS. No other path of the service (Alertmanager's webhooks, deploys, the
 * freeze) is routed; the deploy workflow reaches /annotations/deploy through port-forward.
 * Undefined when the stack declares no public path (local, or an external service).
 */
export function publicIngressManifest(config: StackConfig) {
  const ingress = config.alerting.automation.publicIngress;
  if (!ingress || config.alerting.automation.url) return undefined;
  return {
    apiVersion: "networking.k8s.io/v1" as const,
    kind: "Ingress" as const,
    metadata: { name: PUBLIC_INGRESS_NAME, namespace: config.cluster.namespace, labels: LABELS },
    spec: {
      ingressClassName: ingress.className,
      tls: [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }],
      rules: [
        {
          host: ingress.host,
          http: {
            paths: [
              {
                path: PAGERDUTY_PATH,
                pathType: "Exact",
                backend: { service: { name: AUTOMATION_SERVICE_NAME, port: { name: "http" } } },
              },
            ],
          },
        },
      ],
    },
  };
}
