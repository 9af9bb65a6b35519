import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Chart } from "../../lib/conventions";
import type { StackConfig } from "../config";
import {
  blackboxValues,
  healthProbe,
  logstashServiceMonitor,
  opensearchServiceMonitor,
  port8000PrometheusRule,
  port8000ServiceMonitor,
  publicEndpointProbe,
  type RuleGroup,
} from "./monitors";
import { filebeatPodMonitor, opensearchStatePodMonitor } from "./pipeline-monitors";
import { type PrometheusStackParts, prometheusStackValues, RELEASE_NAME } from "./values";

export interface PrometheusStackArgs {
  readonly config: StackConfig;
  readonly namespace: pulumi.Input<string>;
  /** Rendered rule groups (alerts/): recording and alerting rules. */
  readonly ruleGroups: readonly RuleGroup[];
  /** Values of other areas merged into the chart (Alertmanager config and secrets). */
  readonly parts?: PrometheusStackParts;
  /** Resources the chart must wait for, e.g. the Secrets Alertmanager mounts. */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
  /** The logging namespace's Secrets the OpenSearch monitor reads (CA, scrape user). */
  readonly opensearchMonitorDependsOn?: pulumi.Resource[];
}

/**
 * Prometheus (HA, persistent), Alertmanager, node exporter and kube-state-metrics from the
 * pinned kube-prometheus-stack chart, the blackbox exporter for /health, and the custom
 * resources that scrape, probe and alert on Port 8000.
 */
export class PrometheusStack extends pulumi.ComponentResource {
  readonly releaseName: pulumi.Output<string>;

  constructor(name: string, args: PrometheusStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("port8000:monitoring:PrometheusStack", name, {}, opts);
    const { config } = args;
    const chart = Chart.kubePrometheusStack;
    const release = new k8s.helm.v3.Release(
      `${name}-kube-prometheus-stack`,
      {
        name: RELEASE_NAME,
        chart: chart.name,
        version: chart.version,
        repositoryOpts: { repo: chart.repo },
        namespace: args.namespace,
        values: prometheusStackValues(config, args.parts),
        atomic: true,
        timeout: 900,
      },
      { parent: this, dependsOn: args.dependsOn },
    );
    const blackbox = new k8s.helm.v3.Release(
      `${name}-blackbox-exporter`,
      {
        name: "blackbox",
        chart: Chart.blackboxExporter.name,
        version: Chart.blackboxExporter.version,
        repositoryOpts: { repo: Chart.blackboxExporter.repo },
        namespace: args.namespace,
        values: blackboxValues(config),
        atomic: true,
      },
      { parent: this },
    );
    const customResource = (role: string, body: { metadata: object }, deps: pulumi.Resource[]) =>
      new k8s.apiextensions.CustomResource(
        `${name}-${role}`,
        body as k8s.apiextensions.CustomResourceArgs,
        {
          parent: this,
          dependsOn: deps,
        },
      );
    customResource("service-monitor", port8000ServiceMonitor(config), [release]);
    customResource("logstash-monitor", logstashServiceMonitor(config), [release]);
    customResource("opensearch-monitor", opensearchServiceMonitor(config), [
      release,
      ...(args.opensearchMonitorDependsOn ?? []),
    ]);
    customResource("filebeat-monitor", filebeatPodMonitor(config), [release]);
    customResource("opensearch-state-monitor", opensearchStatePodMonitor(config), [release]);
    customResource("health-probe", healthProbe(config), [release, blackbox]);
    const publicProbe = publicEndpointProbe(config);
    if (publicProbe) customResource("public-probe", publicProbe, [release, blackbox]);
    customResource("rules", port8000PrometheusRule(config, args.ruleGroups), [release]);
    this.releaseName = release.name;
    this.registerOutputs({ releaseName: this.releaseName });
  }
}
