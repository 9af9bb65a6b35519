import { Job } from "../../lib/conventions";
import type { StackConfig } from "../config/schema";
import { chartDisruptionBudget } from "../hardening/disruption-budget";

/**
 * Helm values of kube-prometheus-stack (pinned in lib/conventions Chart). Every key set here is
 * checked against the chart's own values.yaml in tests/prometheus.
 */

export const RELEASE_NAME = "kps";
/**
 * The label every rule, monitor and probe of this stack carries; Prometheus selects on it. Not
 * `app.kubernetes.io/part-of`: the chart sets that one itself, and subcharts set their own.
 */
export const STACK_LABELS = { "port8000.io/monitoring": "true" } as const;

/** Names the Kubernetes node of each target, so app and host series join `on (node)`. */
export const NODE_RELABELING = {
  action: "replace",
  sourceLabels: ["__meta_kubernetes_pod_node_name"],
  targetLabel: "node",
} as const;

type Values = Record<string, unknown>;

/** Every rule group, as often as Port 8000 is scraped (components/prometheus/monitors.ts). */
export const EVALUATION_INTERVAL = "10s";

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
    // The headless Service and its ServiceMonitor for the sidecar's http port (10902).
    thanosService: { enabled: true },
    thanosServiceMonitor: { enabled: true, relabelings: jobRelabel(Job.thanosSidecar) },
    podDisruptionBudget: chartDisruptionBudget(config.ha.prometheusReplicas),
    prometheusSpec: {
      replicas: config.ha.prometheusReplicas,
      podAntiAffinity: config.ha.prometheusReplicas > 1 ? "hard" : "soft",
      retention: config.storage.prometheus.retention,
      storageSpec: volumeClaim(config.cluster.storageClass, config.storage.prometheus.size),
      persistentVolumeClaimRetentionPolicy: RETAIN_VOLUMES,
      scrapeInterval: "30s",
      // Pages must not wait: rules run as often as Port 8000 is scraped (monitors.ts).
      evaluationInterval: EVALUATION_INTERVAL,
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
    podDisruptionBudget: chartDisruptionBudget(config.ha.alertmanagerReplicas),
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
    prometheus: { monitor: { additionalLabels: STACK_LABELS, relabelings: [NODE_RELABELING] } },
  };
}

function kubeStateMetricsValues(): Values {
  return { prometheus: { monitor: { additionalLabels: STACK_LABELS } } };
}

export interface PrometheusStackParts {
  /** The `alertmanager:` values of the Alertmanager area (config, templates, secrets). */
  readonly alertmanager?: Values;
  /** More `prometheus:` values (the backup sidecar and its service account role). */
  readonly prometheus?: Values;
}

function withPrometheusParts(base: Values, extra: Values = {}): Values {
  const { prometheusSpec: extraSpec, ...rest } = extra as { prometheusSpec?: Values };
  const spec = base.prometheusSpec as Values;
  return { ...base, ...rest, prometheusSpec: { ...spec, ...extraSpec } };
}

export function prometheusStackValues(
  config: StackConfig,
  parts: PrometheusStackParts = {},
): Values {
  return {
    fullnameOverride: RELEASE_NAME,
    commonLabels: STACK_LABELS,
    // Helm never upgrades CRDs; the chart's job does, so a chart bump brings its CRDs along.
    crds: { enabled: true, upgradeJob: { enabled: true } },
    // Upstream default rules carry no service label and would break the alert contract.
    defaultRules: { create: false },
    grafana: { enabled: false },
    kubeStateMetrics: { enabled: true },
    "kube-state-metrics": kubeStateMetricsValues(),
    nodeExporter: { enabled: true },
    "prometheus-node-exporter": nodeExporterValues(),
    // A managed control plane (EKS) exposes none of these; their targets would only fail and
    // trip PrometheusScrapeErrors.
    kubeControllerManager: { enabled: false },
    kubeEtcd: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeProxy: { enabled: false },
    prometheus: withPrometheusParts(prometheusValues(config), parts.prometheus),
    alertmanager: alertmanagerValues(config, parts.alertmanager ?? {}),
  };
}
