import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { filesChecksum, sha256Hex } from "../../lib/checksum";
import type { StackConfig } from "../config";
import { registryLookupName } from "../config/images";
import { PipelineCertificates } from "../opensearch/tls";
import { jsonExporterYaml } from "./exporter";
import { filebeatYaml } from "./filebeat";
import { filebeatExporterYaml } from "./filebeat-exporter";
import {
  deadLetterPipeline,
  logstashPipeline,
  logstashPipelinesYaml,
  logstashSettingsYaml,
} from "./logstash";
import {
  BEATS_PORT,
  EXPORTER_PORT,
  LOGSTASH,
  PipelineUser,
  TLS_CHECKSUM_ANNOTATION,
} from "./names";
import { networkPolicies } from "./network";
import {
  ConfigMaps,
  FILEBEAT,
  FILEBEAT_EXEMPTIONS,
  FILEBEAT_EXPORTER_KEY,
  filebeatPodSpec,
  labelsOf,
  logstashPodSpec,
  logstashVolumeClaim,
  Secrets,
} from "./workloads";

export { loggingArtifacts } from "./artifacts";

/** An image by digest: as configured when it has one, else the tag's digest read at deploy. */
export function pinImage(image: string, opts: pulumi.InvokeOutputOptions): pulumi.Output<string> {
  if (image.includes("@sha256:")) return pulumi.output(image);
  return docker
    .getRegistryImageOutput({ name: registryLookupName(image) }, opts)
    .apply((found) => `${image}@${found.sha256Digest}`);
}

export const ChecksumAnnotation = {
  config: "port8000/config-sha256",
  tls: TLS_CHECKSUM_ANNOTATION,
} as const;

export interface LogPipelineArgs {
  readonly config: StackConfig;
  readonly logstashRoleArn: pulumi.Input<string>;
  /** Password of the OpenSearch user Logstash writes as; a Pulumi secret. */
  readonly logstashPassword: pulumi.Input<string>;
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

const ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";

/**
 * Filebeat (DaemonSet) → Logstash (StatefulSet) with mutual TLS from a CA this program keeps
 * (keys are Pulumi secrets), the rendered configs, and NetworkPolicies that allow only that.
 */
export class LogPipeline extends pulumi.ComponentResource {
  constructor(name: string, args: LogPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("port8000:logging:LogPipeline", name, {}, opts);
    const { config } = args;
    const namespace = config.logging.namespace;
    const child = { parent: this, dependsOn: args.dependsOn };
    const meta = (name: string, app: string) => ({ name, namespace, labels: labelsOf(app) });
    const images = {
      filebeat: pinImage(config.logging.images.filebeat, { parent: this }),
      logstash: pinImage(config.logging.images.logstash, { parent: this }),
      jsonExporter: pinImage(config.logging.images.jsonExporter, { parent: this }),
      curl: pinImage(config.logging.images.curl, { parent: this }),
    };
    const tls = new PipelineCertificates(`${name}-tls`, { config }, child);
    const certs = tls.secrets;
    const logstashUser = new k8s.core.v1.Secret(
      `${name}-logstash-user`,
      {
        metadata: meta(Secrets.logstashUser, LOGSTASH),
        stringData: {
          username: PipelineUser.logstash,
          password: pulumi.secret(args.logstashPassword),
        },
      },
      child,
    );
    const data = {
      filebeat: {
        "filebeat.yml": filebeatYaml(config),
        [FILEBEAT_EXPORTER_KEY]: filebeatExporterYaml(),
      },
      logstash: {
        "logstash.yml": logstashSettingsYaml(config),
        "pipelines.yml": logstashPipelinesYaml(),
        "port8000.conf": logstashPipeline(config),
        "dead-letter.conf": deadLetterPipeline(config),
        "json-exporter.yml": jsonExporterYaml(),
      },
    };
    const configs = [
      new k8s.core.v1.ConfigMap(
        `${name}-filebeat-config`,
        { metadata: meta(ConfigMaps.filebeat, FILEBEAT), data: data.filebeat },
        child,
      ),
      new k8s.core.v1.ConfigMap(
        `${name}-logstash-config`,
        { metadata: meta(ConfigMaps.logstash, LOGSTASH), data: data.logstash },
        child,
      ),
    ];
    // Neither reads its config or certificates again while running: a change rolls the pods.
    const rollOn = (files: Record<string, string>) =>
      tls.certificatesPem.apply(
        (pem): Record<string, string> => ({
          [ChecksumAnnotation.config]: filesChecksum(files),
          [ChecksumAnnotation.tls]: sha256Hex(pem),
        }),
      );
    const ready = [...certs, logstashUser, ...configs];
    this.declareFilebeat(name, config, images, meta, child, ready, rollOn(data.filebeat));
    this.declareLogstash(name, args, images, meta, child, ready, rollOn(data.logstash));
    for (const policy of networkPolicies(config)) {
      new k8s.networking.v1.NetworkPolicy(
        `${name}-netpol-${policy.name}`,
        {
          metadata: { name: policy.name, namespace },
          spec: policy.spec as unknown as k8s.types.input.networking.v1.NetworkPolicySpec,
        },
        child,
      );
    }
    this.registerOutputs({});
  }

  private declareFilebeat(
    name: string,
    config: StackConfig,
    images: { filebeat: pulumi.Output<string>; jsonExporter: pulumi.Output<string> },
    meta: (name: string, app: string) => { name: string; namespace: string },
    child: pulumi.CustomResourceOptions,
    ready: pulumi.Resource[],
    checksums: pulumi.Output<Record<string, string>>,
  ): void {
    const labels = labelsOf(FILEBEAT);
    const account = new k8s.core.v1.ServiceAccount(
      `${name}-filebeat-account`,
      { metadata: meta(FILEBEAT, FILEBEAT) },
      child,
    );
    const role = new k8s.rbac.v1.ClusterRole(
      `${name}-filebeat-reader`,
      {
        metadata: { name: "port8000-filebeat", labels },
        // add_kubernetes_metadata: pod, namespace and node metadata, read only.
        rules: [
          {
            apiGroups: [""],
            resources: ["pods", "namespaces", "nodes"],
            verbs: ["get", "list", "watch"],
          },
        ],
      },
      child,
    );
    const binding = new k8s.rbac.v1.ClusterRoleBinding(
      `${name}-filebeat-reader-binding`,
      {
        metadata: { name: "port8000-filebeat", labels },
        roleRef: {
          apiGroup: "rbac.authorization.k8s.io",
          kind: "ClusterRole",
          name: "port8000-filebeat",
        },
        subjects: [{ kind: "ServiceAccount", name: FILEBEAT, namespace: config.logging.namespace }],
      },
      child,
    );
    new k8s.apps.v1.DaemonSet(
      `${name}-filebeat`,
      {
        metadata: meta(FILEBEAT, FILEBEAT),
        spec: {
          selector: { matchLabels: labels },
          updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
          template: {
            metadata: {
              labels,
              annotations: checksums.apply((sums) => ({ ...FILEBEAT_EXEMPTIONS, ...sums })),
            },
            spec: pulumi
              .all([images.filebeat, images.jsonExporter])
              .apply(([filebeat, jsonExporter]) =>
                filebeatPodSpec(config, { filebeat, jsonExporter }),
              ),
          },
        },
      },
      { ...child, dependsOn: [...ready, account, role, binding] },
    );
  }

  private declareLogstash(
    name: string,
    args: LogPipelineArgs,
    images: {
      filebeat: pulumi.Output<string>;
      logstash: pulumi.Output<string>;
      jsonExporter: pulumi.Output<string>;
      curl: pulumi.Output<string>;
    },
    meta: (name: string, app: string) => { name: string; namespace: string },
    child: pulumi.CustomResourceOptions,
    ready: pulumi.Resource[],
    checksums: pulumi.Output<Record<string, string>>,
  ): void {
    const { config } = args;
    const labels = labelsOf(LOGSTASH);
    const account = new k8s.core.v1.ServiceAccount(
      `${name}-logstash-account`,
      {
        metadata: {
          ...meta(LOGSTASH, LOGSTASH),
          annotations: { [ROLE_ANNOTATION]: args.logstashRoleArn },
        },
      },
      child,
    );
    new k8s.core.v1.Service(
      `${name}-logstash-service`,
      {
        metadata: meta(LOGSTASH, LOGSTASH),
        spec: {
          selector: labels,
          ports: [
            { name: "beats", port: BEATS_PORT, targetPort: "beats" },
            { name: "metrics", port: EXPORTER_PORT, targetPort: "metrics" },
          ],
        },
      },
      child,
    );
    const spec = pulumi
      .all([images.logstash, images.jsonExporter, images.curl])
      .apply(([logstash, jsonExporter, curl]) =>
        logstashPodSpec(config, { filebeat: "", logstash, jsonExporter, curl }),
      );
    new k8s.apps.v1.StatefulSet(
      `${name}-logstash`,
      {
        metadata: meta(LOGSTASH, LOGSTASH),
        spec: {
          serviceName: LOGSTASH,
          replicas: config.logging.logstash.replicas,
          selector: { matchLabels: labels },
          template: { metadata: { labels, annotations: checksums }, spec },
          volumeClaimTemplates: [logstashVolumeClaim(config)],
          // The persisted queue and dead letters outlive the pods and the StatefulSet.
          persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
        },
      },
      { ...child, protect: true, dependsOn: [...ready, account] },
    );
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-logstash-pdb`,
      {
        metadata: meta(LOGSTASH, LOGSTASH),
        spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
      },
      child,
    );
  }
}
