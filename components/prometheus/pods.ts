import { BLACKBOX_PORT, BLACKBOX_RELEASE } from "./monitors";
import { RELEASE_NAME } from "./values";

/**
 * Labels of the pods the charts and the Prometheus operator create, for NetworkPolicies and
 * budgets. The operator labels its pods `app.kubernetes.io/name` + `operator.prometheus.io/name`
 * (Prometheus) and `alertmanager` (Alertmanager), with the chart's custom resource names
 * `<fullname>-prometheus` and `<fullname>-alertmanager` (cleanPrometheusOperatorObjectNames off).
 */

export const PROMETHEUS_PODS = {
  "app.kubernetes.io/name": "prometheus",
  "operator.prometheus.io/name": `${RELEASE_NAME}-prometheus`,
} as const;

export const ALERTMANAGER_PODS = {
  "app.kubernetes.io/name": "alertmanager",
  alertmanager: `${RELEASE_NAME}-alertmanager`,
} as const;

/** The exporters Prometheus scrapes in this namespace, with the port it scrapes. */
export const EXPORTERS = [
  {
    role: "blackbox-exporter",
    pods: {
      "app.kubernetes.io/name": "prometheus-blackbox-exporter",
      "app.kubernetes.io/instance": BLACKBOX_RELEASE,
    },
    port: BLACKBOX_PORT,
  },
  {
    role: "kube-state-metrics",
    pods: {
      "app.kubernetes.io/name": "kube-state-metrics",
      "app.kubernetes.io/instance": RELEASE_NAME,
    },
    port: 8080,
  },
] as const;
