import { RESTRICTED_CONTAINER, restrictedPod } from "../../lib/security-context";
import { toYaml } from "../../lib/serialize";
import type { StackConfig } from "../config/schema";
import { podDisruptionBudget } from "../hardening/disruption-budget";
import { type BlockSource, blockSources } from "./bucket";
import {
  GRPC_PORT,
  HTTP_PORT,
  inClusterHost,
  podLabels,
  REPLICA_LABEL,
  SIDECAR_SERVICE,
  type ThanosRole,
  workloadName,
} from "./names";

/** The Thanos Deployments, Services and budgets as plain manifests. Pure. */

export const OBJSTORE_DIR = "/etc/thanos/objstore";
export const OBJSTORE_KEY = "objstore.yml";
export const WEB_CONFIG_DIR = "/etc/thanos/web";
export const WEB_CONFIG_KEY = "web.yml";
const DATA_DIR = "/var/thanos/data";
/**
 * A marked block stays readable this long; the Compactor deletes it only after DELETE_DELAY,
 * so no Store Gateway ever reads a block that is gone (Thanos' documented ordering).
 */
export const IGNORE_DELETION_MARKS_DELAY = "24h";
export const DELETE_DELAY = "48h";

/** Scratch disk: the Compactor downloads what it merges, the Store its index headers. */
const SCRATCH: Record<ThanosRole, string | undefined> = {
  query: undefined,
  store: "20Gi",
  "store-history": "20Gi",
  compact: "100Gi",
};

const RESOURCES: Record<ThanosRole, object> = {
  query: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "2Gi" } },
  store: { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "2Gi" } },
  "store-history": { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "2Gi" } },
  compact: { requests: { cpu: "200m", memory: "512Mi" }, limits: { memory: "4Gi" } },
};

/** nobody: the Thanos image's own user. */
const POD_SECURITY = restrictedPod({ user: 65534, group: 65534, fsGroup: 65534 });

export function objstoreSecretName(role: ThanosRole): string {
  return `${workloadName(role)}-objstore`;
}
export const QUERY_AUTH_SECRET = "thanos-query-auth";

const common = ["--log.format=logfmt", `--http-address=0.0.0.0:${HTTP_PORT}`];
const objstoreFlag = `--objstore.config-file=${OBJSTORE_DIR}/${OBJSTORE_KEY}`;

/** Query fans out to the sidecars (the last 15 days) and to every Store Gateway. */
export function queryEndpoints(config: StackConfig): string[] {
  const ns = config.cluster.namespace;
  const stores = blockSources(config).filter((s) => s.access === "read");
  return [
    `dnssrv+_grpc._tcp.${SIDECAR_SERVICE}.${ns}.svc.cluster.local`,
    ...stores.map((s) => `dnssrv+_grpc._tcp.${inClusterHost(config, s.role)}`),
  ];
}

/** What makes Query Query here, in the cluster and in the local stack alike. */
export function queryFlags(endpoints: readonly string[]): string[] {
  return [
    // The HA pair's samples merge into one series; a gap in one replica is filled by the other.
    `--query.replica-label=${REPLICA_LABEL}`,
    // Long ranges read the 5m and 1h downsampled blocks, raw ones are gone after retention.raw.
    "--query.auto-downsampling",
    `--endpoint.sd-config=${toYaml({ endpoints: endpoints.map((address) => ({ address })) })}`,
  ];
}

export function queryArgs(config: StackConfig): string[] {
  return [
    "query",
    ...common,
    `--grpc-address=0.0.0.0:${GRPC_PORT}`,
    ...queryFlags(queryEndpoints(config)),
    `--http.config=${WEB_CONFIG_DIR}/${WEB_CONFIG_KEY}`,
  ];
}

export function storeFlags(): string[] {
  return [`--ignore-deletion-marks-delay=${IGNORE_DELETION_MARKS_DELAY}`];
}

export function storeArgs(): string[] {
  return [
    "store",
    ...common,
    `--grpc-address=0.0.0.0:${GRPC_PORT}`,
    `--data-dir=${DATA_DIR}`,
    objstoreFlag,
    ...storeFlags(),
  ];
}

export function compactArgs(config: StackConfig): string[] {
  const { raw, fiveMinutes, oneHour } = config.longTermMetrics.retention;
  return [
    "compact",
    ...common,
    "--wait",
    `--data-dir=${DATA_DIR}`,
    objstoreFlag,
    `--retention.resolution-raw=${raw}`,
    `--retention.resolution-5m=${fiveMinutes}`,
    `--retention.resolution-1h=${oneHour}`,
    `--delete-delay=${DELETE_DELAY}`,
    "--compact.concurrency=1",
  ];
}

function probes(role: ThanosRole) {
  // Query answers HTTP only with credentials (basic auth): the kubelet checks its port instead.
  if (role === "query") {
    const tcp = { tcpSocket: { port: "http" }, periodSeconds: 10 };
    return { readinessProbe: tcp, livenessProbe: { ...tcp, initialDelaySeconds: 10 } };
  }
  return {
    readinessProbe: { httpGet: { path: "/-/ready", port: "http" }, periodSeconds: 10 },
    livenessProbe: {
      httpGet: { path: "/-/healthy", port: "http" },
      periodSeconds: 30,
      failureThreshold: 4,
    },
  };
}

function roleArgs(config: StackConfig, role: ThanosRole): string[] {
  if (role === "query") return queryArgs(config);
  if (role === "compact") return compactArgs(config);
  return storeArgs();
}

function mounts(role: ThanosRole) {
  if (role === "query")
    return {
      volumeMounts: [{ name: "web", mountPath: WEB_CONFIG_DIR, readOnly: true }],
      volumes: [
        {
          name: "web",
          secret: {
            secretName: QUERY_AUTH_SECRET,
            items: [{ key: WEB_CONFIG_KEY, path: WEB_CONFIG_KEY }],
          },
        },
      ],
    };
  return {
    volumeMounts: [
      { name: "objstore", mountPath: OBJSTORE_DIR, readOnly: true },
      { name: "data", mountPath: DATA_DIR },
    ],
    volumes: [{ name: "objstore", secret: { secretName: objstoreSecretName(role) } }],
  };
}

/** A generic ephemeral volume: scratch on the storage class, gone with the pod, off the node's disk. */
function scratchVolume(config: StackConfig, size: string) {
  return {
    name: "data",
    ephemeral: {
      volumeClaimTemplate: {
        spec: {
          accessModes: ["ReadWriteOnce"],
          storageClassName: config.cluster.storageClass,
          resources: { requests: { storage: size } },
        },
      },
    },
  };
}

export function replicasOf(config: StackConfig, role: ThanosRole): number {
  if (role === "compact") return 1;
  return role === "query"
    ? config.longTermMetrics.queryReplicas
    : config.longTermMetrics.storeReplicas;
}

export function deployment(config: StackConfig, role: ThanosRole) {
  const labels = podLabels(role);
  const { volumeMounts, volumes } = mounts(role);
  const scratch = SCRATCH[role];
  return {
    metadata: { name: workloadName(role), namespace: config.cluster.namespace, labels },
    spec: {
      replicas: replicasOf(config, role),
      // Two Compactors on one prefix corrupt it: the old one stops before the new one starts.
      strategy: role === "compact" ? { type: "Recreate" } : { type: "RollingUpdate" },
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: workloadName(role),
          automountServiceAccountToken: false,
          securityContext: POD_SECURITY,
          affinity: spreadOverNodes(labels),
          containers: [
            {
              name: "thanos",
              image: config.longTermMetrics.image,
              args: roleArgs(config, role),
              ports: [
                { name: "http", containerPort: HTTP_PORT },
                ...(role === "compact" ? [] : [{ name: "grpc", containerPort: GRPC_PORT }]),
              ],
              resources: RESOURCES[role],
              securityContext: RESTRICTED_CONTAINER,
              volumeMounts,
              ...probes(role),
            },
          ],
          volumes: [...volumes, ...(scratch ? [scratchVolume(config, scratch)] : [])],
        },
      },
    },
  };
}

function spreadOverNodes(labels: Record<string, string>) {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            labelSelector: { matchLabels: labels },
            topologyKey: "kubernetes.io/hostname",
          },
        },
      ],
    },
  };
}

/** Stores are headless, so Query's SRV lookup finds every replica; Query is one address. */
export function service(config: StackConfig, role: ThanosRole) {
  const labels = podLabels(role);
  const ports = [
    { name: "http", port: HTTP_PORT, targetPort: "http" },
    ...(role === "compact" ? [] : [{ name: "grpc", port: GRPC_PORT, targetPort: "grpc" }]),
  ];
  const headless = role === "store" || role === "store-history";
  return {
    metadata: { name: workloadName(role), namespace: config.cluster.namespace, labels },
    spec: { ...(headless ? { clusterIP: "None" } : {}), selector: labels, ports },
  };
}

export function disruptionBudget(config: StackConfig, role: ThanosRole) {
  return podDisruptionBudget({
    name: workloadName(role),
    namespace: config.cluster.namespace,
    pods: podLabels(role),
    replicas: replicasOf(config, role),
  });
}

export function thanosRoles(config: StackConfig): ThanosRole[] {
  return ["query", ...blockSources(config).map((s: BlockSource) => s.role)];
}
