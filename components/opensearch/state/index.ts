import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { filesChecksum } from "../../../lib/checksum";
import type { StackConfig } from "../../config";
import { ChecksumAnnotation, pinImage } from "../../logging";
import { ConfigMaps } from "../../logging/workloads";
import {
  STATE_EXPORTER,
  stateExporterLabels,
  stateExporterPodSpec,
  stateExporterYaml,
} from "../state-exporter";

export interface OpenSearchStateExporterArgs {
  readonly config: StackConfig;
  /** The scrape user's and the CA's Secrets it mounts. */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * json_exporter reading OpenSearch's snapshot-management and ISM explain APIs (what the
 * exporter plugin does not report), scraped by the `opensearch-state` PodMonitor.
 */
export class OpenSearchStateExporter extends pulumi.ComponentResource {
  constructor(
    name: string,
    args: OpenSearchStateExporterArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("port8000:logging:OpenSearchStateExporter", name, {}, opts);
    const { config } = args;
    const metadata = {
      name: STATE_EXPORTER,
      namespace: config.logging.namespace,
      labels: stateExporterLabels(),
    };
    const data = { "config.yml": stateExporterYaml(config) };
    const configMap = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      { metadata: { ...metadata, name: ConfigMaps.opensearchState }, data },
      { parent: this },
    );
    const image = pinImage(config.logging.images.jsonExporter, { parent: this });
    new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata,
        spec: {
          replicas: 1,
          selector: { matchLabels: stateExporterLabels() },
          template: {
            metadata: {
              labels: stateExporterLabels(),
              // json_exporter reads its config once: a change rolls the pod.
              annotations: { [ChecksumAnnotation.config]: filesChecksum(data) },
            },
            spec: image.apply(stateExporterPodSpec),
          },
        },
      },
      {
        parent: this,
        dependsOn: [configMap, ...(args.dependsOn ?? [])] as pulumi.Input<pulumi.Resource>[],
      },
    );
    this.registerOutputs({});
  }
}
