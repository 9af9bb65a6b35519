import { POLICY_EXEMPTION_PREFIX, PolicyName } from "../../lib/conventions";
import {
  RESTRICTED_CONTAINER,
  RUNTIME_DEFAULT_SECCOMP,
  restrictedPod,
} from "../../lib/security-context";
import type { StackConfig } from "../config/schema";
import { EXPORTER_PORT } from "./exporter";
import { FILEBEAT_DATA, sourceHostDirs } from "./filebeat";
import { FILEBEAT_EXPORTER_PORT } from "./filebeat-exporter";
import { LogstashEnv } from "./logstash";
import {
  BEATS_PORT,
  FILEBEAT_CERTS,
  LOGSTASH,
  LOGSTASH_API_PORT,
  LogstashPath,
  OPENSEARCH_CLUSTER,
  PipelineUser,
} from "./names";
import { RELEASE_DIR, releaseContainers } from "./release";

/** Pod specs of Filebeat (DaemonSet) and Logstash (StatefulSet); images arrive pinned. */

export const FILEBEAT = "filebeat";
export const labelsOf = (name: string) => ({
  "app.kubernetes.io/name": name,
  "app.kubernetes.io/part-of": "port8000-monitoring",
});
export const Secrets = {
  filebeatTls: "filebeat-tls",
  logstashTls: "logstash-tls",
  logstashUser: "logstash-opensearch-user",
  /** The CA certificate (no key) of the cluster's HTTP layer, for its clients. */
  opensearchCa: `${OPENSEARCH_CLUSTER}-ca-cert`,
} as const;
export const ConfigMaps = {
  filebeat: "filebeat-config",
  logstash: "logstash-config",
  opensearchState: "opensearch-state-exporter",
} as const;
/** The json_exporter config key in Filebeat's ConfigMap. */
export const FILEBEAT_EXPORTER_KEY = "json-exporter.yml";

/** Filebeat runs as uid 0 (root-owned host logs and journal): exempt from non-root, with why. */
export const FILEBEAT_EXEMPTIONS = {
  [`${POLICY_EXEMPTION_PREFIX}${PolicyName.containersNonRoot}`]:
    "reads root-owned host logs (/var/log, the journal); uid 0 with only DAC_READ_SEARCH, no escalation, read-only root",
};

const mountName = (dir: string) => `host${dir.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`;

export interface PinnedImages {
  readonly filebeat: string;
  readonly logstash: string;
  readonly jsonExporter: string;
  /** The release watcher's (curl) image. */
  readonly curl: string;
}

/** A json_exporter container as unprivileged as the image allows: nobody, no capabilities. */
export function jsonExporterContainer(image: string, port: number, configVolume: string) {
  return {
    name: "json-exporter",
    image,
    args: ["--config.file=/etc/json-exporter/config.yml", `--web.listen-address=:${port}`],
    ports: [{ name: "metrics", containerPort: port }],
    securityContext: { ...RESTRICTED_CONTAINER, runAsNonRoot: true, runAsUser: 65534 },
    resources: {
      requests: { cpu: "10m", memory: "16Mi" },
      limits: { cpu: "100m", memory: "64Mi" },
    },
    volumeMounts: [{ name: configVolume, mountPath: "/etc/json-exporter", readOnly: true }],
  };
}

/**
 * Filebeat reads root-owned host logs and the journal, so it runs as uid 0 but with only
 * DAC_READ_SEARCH, no escalation and a read-only root filesystem; its registry lives on a host
 * path so a restart resumes where it stopped. The json_exporter sidecar reads its /stats.
 */
export function filebeatPodSpec(
  config: StackConfig,
  images: Pick<PinnedImages, "filebeat" | "jsonExporter">,
) {
  const dirs = sourceHostDirs(config);
  return {
    serviceAccountName: FILEBEAT,
    terminationGracePeriodSeconds: 30,
    securityContext: RUNTIME_DEFAULT_SECCOMP,
    containers: [
      {
        name: FILEBEAT,
        image: images.filebeat,
        args: ["-e", "-c", "/etc/filebeat/filebeat.yml", "--path.data", FILEBEAT_DATA],
        env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
        // Root without capabilities reads only by the owner or "other" bits; nginx's logs are
        // www-data:adm 0640. DAC_READ_SEARCH lets it read any file, and nothing more.
        securityContext: {
          ...RESTRICTED_CONTAINER,
          capabilities: { drop: ["ALL"], add: ["DAC_READ_SEARCH"] },
          runAsUser: 0,
          runAsNonRoot: false,
        },
        resources: {
          requests: { cpu: "100m", memory: "128Mi" },
          limits: { cpu: "500m", memory: "384Mi" },
        },
        volumeMounts: [
          { name: "config", mountPath: "/etc/filebeat", readOnly: true },
          { name: "certs", mountPath: FILEBEAT_CERTS, readOnly: true },
          { name: "data", mountPath: FILEBEAT_DATA },
          { name: "tmp", mountPath: "/tmp" },
          { name: "machine-id", mountPath: "/etc/machine-id", readOnly: true },
          ...dirs.map((dir) => ({ name: mountName(dir), mountPath: dir, readOnly: true })),
        ],
      },
      jsonExporterContainer(images.jsonExporter, FILEBEAT_EXPORTER_PORT, "exporter"),
    ],
    volumes: [
      {
        name: "config",
        configMap: {
          name: ConfigMaps.filebeat,
          items: [{ key: "filebeat.yml", path: "filebeat.yml" }],
        },
      },
      {
        name: "exporter",
        configMap: {
          name: ConfigMaps.filebeat,
          items: [{ key: FILEBEAT_EXPORTER_KEY, path: "config.yml" }],
        },
      },
      { name: "certs", secret: { secretName: Secrets.filebeatTls, defaultMode: 0o400 } },
      { name: "data", hostPath: { path: "/var/lib/filebeat-port8000", type: "DirectoryOrCreate" } },
      { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
      { name: "machine-id", hostPath: { path: "/etc/machine-id", type: "File" } },
      ...dirs.map((dir) => ({
        name: mountName(dir),
        hostPath: { path: dir, type: "DirectoryOrCreate" },
      })),
    ],
    tolerations: [{ operator: "Exists", effect: "NoSchedule" }],
  };
}

function logstashEnv(config: StackConfig) {
  const fromUser = (key: string) => ({ secretKeyRef: { name: Secrets.logstashUser, key } });
  return [
    { name: LogstashEnv.user, value: PipelineUser.logstash },
    { name: LogstashEnv.password, valueFrom: fromUser("password") },
    { name: LogstashEnv.bucket, value: config.archive.bucketName },
    { name: LogstashEnv.region, value: config.deployment.region },
    // The beats input's direct memory defaults to the heap size: 1g + 1g + metaspace would pass
    // the 2Gi limit. Heap dumps go to the volume (the root filesystem is read-only).
    {
      name: "LS_JAVA_OPTS",
      value: `-Xms1g -Xmx1g -XX:MaxDirectMemorySize=512m -XX:HeapDumpPath=${LogstashPath.data}`,
    },
  ];
}

/** Logstash runs as its image's uid 1000; the persisted queue and DLQ are on its volume. */
export function logstashPodSpec(config: StackConfig, images: PinnedImages) {
  const probe = { httpGet: { path: "/", port: "api" }, periodSeconds: 15 };
  const release = releaseContainers(config, images.curl);
  return {
    serviceAccountName: LOGSTASH,
    // The image's entrypoint writes logstash.yml for any variable named like a setting (e.g. a
    // Service's link variables), and that file is read-only here.
    enableServiceLinks: false,
    terminationGracePeriodSeconds: 120,
    securityContext: restrictedPod({ user: 1000, group: 1000, fsGroup: 1000 }),
    containers: [
      {
        name: LOGSTASH,
        image: images.logstash,
        env: logstashEnv(config),
        ports: [
          { name: "beats", containerPort: BEATS_PORT },
          { name: "api", containerPort: LOGSTASH_API_PORT },
        ],
        securityContext: RESTRICTED_CONTAINER,
        resources: {
          requests: { cpu: "500m", memory: "1536Mi" },
          limits: { cpu: "2", memory: "2Gi" },
        },
        // Replaying a full persisted queue at start can take minutes: up to 15 before liveness.
        startupProbe: { ...probe, periodSeconds: 10, failureThreshold: 90 },
        readinessProbe: probe,
        livenessProbe: probe,
        volumeMounts: [
          {
            name: "settings",
            mountPath: `${LogstashPath.settings}/logstash.yml`,
            subPath: "logstash.yml",
          },
          {
            name: "settings",
            mountPath: `${LogstashPath.settings}/pipelines.yml`,
            subPath: "pipelines.yml",
          },
          { name: "pipelines", mountPath: LogstashPath.pipeline, readOnly: true },
          { name: "certs", mountPath: LogstashPath.certs, readOnly: true },
          { name: "data", mountPath: LogstashPath.data },
          { name: "tmp", mountPath: "/tmp" },
          { name: "release", mountPath: RELEASE_DIR, readOnly: true },
        ],
      },
      jsonExporterContainer(images.jsonExporter, EXPORTER_PORT, "exporter"),
      release.sidecar,
    ],
    // translate refuses to start without its dictionary: written once before Logstash starts.
    initContainers: [release.init],
    volumes: [
      logstashFiles("settings", {
        "logstash.yml": "logstash.yml",
        "pipelines.yml": "pipelines.yml",
      }),
      logstashFiles("pipelines", {
        "port8000.conf": "port8000.conf",
        "dead-letter.conf": "dead-letter.conf",
      }),
      logstashFiles("exporter", { "json-exporter.yml": "config.yml" }),
      {
        name: "certs",
        projected: {
          sources: [
            { secret: { name: Secrets.logstashTls } },
            {
              secret: {
                name: Secrets.opensearchCa,
                items: [{ key: "ca.crt", path: "opensearch-ca.crt" }],
              },
            },
          ],
        },
      },
      { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
      { name: "release", emptyDir: { sizeLimit: "1Mi" } },
    ],
  };
}

/** A volume of some keys of Logstash's ConfigMap, key → file name. */
function logstashFiles(volume: string, files: Record<string, string>) {
  const items = Object.entries(files).map(([key, path]) => ({ key, path }));
  return { name: volume, configMap: { name: ConfigMaps.logstash, items } };
}

export function logstashVolumeClaim(config: StackConfig) {
  return {
    metadata: { name: "data" },
    spec: {
      accessModes: ["ReadWriteOnce"],
      storageClassName: config.cluster.storageClass,
      resources: { requests: { storage: config.logging.logstash.diskSize } },
    },
  };
}
