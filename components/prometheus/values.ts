import { Job } from "../../lib/conventions";
import type { StackConfig } from "../config/schema";

/**
 * Helm values of kube-prometheus-stack (pinned in lib/conventions Chart). Every key set here is
 * checked against the chart's own values.yaml in tests/prometheus.
 */

export const RELEASE_NAME = "kps";
/** Labels every rule, monitor and probe of this stack carries; the selectors match on them. */
export const STACK_LABELS = { "app.kubernetes.io/part-of": "port8000-monitoring" } as const;

type Values = Record<string, unknown>;

/** Volumes outlive their pods, and a deleted or scaled-down StatefulSet keeps its data. */
const RETAIN_VOLUMES = { whenDeleted: "Retain", whenScaled: "Retain" } as const;

function volumeClaim(storageClass: string, size: string): Values {
  return {
    volumeClaimTemplate: {
      spec: {
        storageClassName: storageClass,
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: size } },
      },
    },
  };
}

/** Gives a self-monitoring target the job name the rules select on. */
function jobRelabel(job: string): Values[] {
  return [{ action: "replace", targetLabel: "job", replacement: job }];
}

function prometheusValues(config: StackConfig): Values {
  return {
    serviceMonitor: { relabelings: jobRelabel(Job.prometheus) },
    prometheusSpec: {
      replicas: config.ha.prometheusReplicas,
      podAntiAffinity: config.ha.prometheusReplicas > 1 ? "hard" : "soft",
      retention: config.storage.prometheus.retention,
      storageSpec: volumeClaim(config.cluster.storageClass, config.storage.prometheus.size),
      persistentVolumeClaimRetentionPolicy: RETAIN_VOLUMES,
      scrapeInterval: "30s",
      // Pages must not wait: rules run as often as Port 8000 is scraped (monitors.ts).
      evaluationInterval: "15s",
      externalLabels: {
        environment: config.deployment.environment,
        region: config.deployment.region,
      },
      ruleSelector: { matchLabels: STACK_LABELS },
      serviceMonitorSelector: { matchLabels: STACK_LABELS },
      podMonitorSelector: { matchLabels: STACK_LABELS },
      probeSelector: { matchLabels: STACK_LABELS },
      ruleSelectorNilUsesHelmValues: false,
      serviceMonitorSelectorNilUsesHelmValues: false,
      podMonitorSelectorNilUsesHelmValues: false,
      probeSelectorNilUsesHelmValues: false,
      ruleNamespaceSelector: {},
      serviceMonitorNamespaceSelector: {},
      probeNamespaceSelector: {},
    },
  };
}

function alertmanagerValues(config: StackConfig, extra: Values): Values {
  const { alertmanagerSpec: extraSpec, ...rest } = extra as { alertmanagerSpec?: Values };
  return {
    serviceMonitor: { relabelings: jobRelabel(Job.alertmanager) },
    ...rest,
    alertmanagerSpec: {
      replicas: config.ha.alertmanagerReplicas,
      podAntiAffinity: config.ha.alertmanagerReplicas > 1 ? "hard" : "soft",
      retention: "120h",
      storage: volumeClaim(config.cluster.storageClass, config.storage.alertmanager.size),
      persistentVolumeClaimRetentionPolicy: RETAIN_VOLUMES,
      ...extraSpec,
    },
  };
}

function nodeExporterValues(): Values {
  // The chart's ServiceMonitor takes the job from this label; the alert contract wants "node".
  return {
    podLabels: { jobLabel: Job.node },
    service: { labels: { jobLabel: Job.node } },
  };
}

export interface PrometheusStackParts {
  /** The `alertmanager:` values of the Alertmanager area (config, templates, secrets). */
  readonly alertmanager?: Values;
}

export function prometheusStackValues(
  config: StackConfig,
  parts: PrometheusStackParts = {},
): Values {
  return {
    fullnameOverride: RELEASE_NAME,
    commonLabels: STACK_LABELS,
    crds: { enabled: true },
    // Upstream default rules carry no service label and would break the alert contract.
    defaultRules: { create: false },
    grafana: { enabled: false },
    kubeStateMetrics: { enabled: true },
    nodeExporter: { enabled: true },
    "prometheus-node-exporter": nodeExporterValues(),
    prometheus: prometheusValues(config),
    alertmanager: alertmanagerValues(config, parts.alertmanager ?? {}),
  };
}
