import { ArtifactPath, Job, NODE_LABEL } from "../../lib/conventions";
import { scaleDuration } from "../../lib/duration";
import { GENERATED_HEADER, toSortedYaml } from "../../lib/serialize";
import type { StackConfig } from "../config/schema";
import { SCRAPE_INTERVAL } from "./monitors";
import { EVALUATION_INTERVAL } from "./values";

/**
 * The standalone Prometheus config (`prometheus/prometheus.yml`) the local stack runs: one job
 * per contract job name, the blackbox probe of /health, and the rule file beside it. Pure.
 */

export interface ScrapeTarget {
  readonly address: string;
  readonly metricsPath: string;
}

export interface ScrapeTargets {
  readonly prometheus: string;
  readonly alertmanager: string;
  readonly port8000: ScrapeTarget;
  readonly logPipeline: ScrapeTarget;
  readonly node: string;
  readonly blackbox: string;
}

export interface PrometheusRenderOptions {
  readonly timeScale: number;
  /** Where each job scrapes; derived from the config when unset. */
  readonly targets?: ScrapeTargets;
}

/** The blackbox module the /health probe uses (the local stack renders its module file). */
export const HEALTH_PROBE_MODULE = "http_2xx";
// The local stack scrapes and evaluates as the deployed Prometheus does for Port 8000.
export { EVALUATION_INTERVAL, SCRAPE_INTERVAL };
/**
 * The one host of the local stack. Port 8000 and node exporter targets carry it as the `node`
 * label, as `__meta_kubernetes_pod_node_name` does in the cluster, so that rules joining a
 * process with its host (Port8000MemoryLeak) work locally too.
 */
export const LOCAL_NODE = "localhost";
/** Rule files are found relative to prometheus.yml, so synth output and the local stack agree. */
export const RULES_FROM_CONFIG = ArtifactPath.rules.replace(/^prometheus\//, "");

/** Port 8000's own address: the health URL's host, on the service port unless the URL names one. */
export function port8000Address(config: StackConfig): string {
  const health = new URL(config.service.healthUrl);
  return `${health.hostname}:${health.port || config.service.port}`;
}

export function defaultTargets(config: StackConfig): ScrapeTargets {
  return {
    prometheus: "localhost:9090",
    alertmanager: "localhost:9093",
    port8000: { address: port8000Address(config), metricsPath: config.service.metricsPath },
    logPipeline: { address: "localhost:9198", metricsPath: "/metrics" },
    node: "localhost:9100",
    blackbox: "localhost:9115",
  };
}

function staticJob(job: string, target: ScrapeTarget, labels?: Record<string, string>) {
  return {
    job_name: job,
    metrics_path: target.metricsPath,
    static_configs: [{ targets: [target.address], ...(labels ? { labels } : {}) }],
  };
}

function healthProbeJob(config: StackConfig, blackbox: string) {
  return {
    job_name: Job.health,
    metrics_path: "/probe",
    params: { module: [HEALTH_PROBE_MODULE] },
    static_configs: [{ targets: [config.service.healthUrl] }],
    relabel_configs: [
      { source_labels: ["__address__"], target_label: "__param_target" },
      { source_labels: ["__param_target"], target_label: "instance" },
      { target_label: "__address__", replacement: blackbox },
    ],
  };
}

export function buildPrometheusConfig(config: StackConfig, options: PrometheusRenderOptions) {
  const targets = options.targets ?? defaultTargets(config);
  const scrapeInterval = scaleDuration(SCRAPE_INTERVAL, options.timeScale);
  const at = (address: string): ScrapeTarget => ({ address, metricsPath: "/metrics" });
  const onHost = { [NODE_LABEL]: LOCAL_NODE };
  return {
    global: {
      scrape_interval: scrapeInterval,
      scrape_timeout: scrapeInterval,
      evaluation_interval: scaleDuration(EVALUATION_INTERVAL, options.timeScale),
      external_labels: {
        environment: config.deployment.environment,
        region: config.deployment.region,
      },
    },
    alerting: {
      alertmanagers: [{ api_version: "v2", static_configs: [{ targets: [targets.alertmanager] }] }],
    },
    rule_files: [RULES_FROM_CONFIG],
    scrape_configs: [
      staticJob(Job.port8000, targets.port8000, onHost),
      staticJob(Job.logPipeline, targets.logPipeline),
      staticJob(Job.node, at(targets.node), onHost),
      healthProbeJob(config, targets.blackbox),
      staticJob(Job.prometheus, at(targets.prometheus)),
      staticJob(Job.alertmanager, at(targets.alertmanager)),
    ],
  };
}

export function renderPrometheusConfig(
  config: StackConfig,
  options: PrometheusRenderOptions,
): string {
  return toSortedYaml(buildPrometheusConfig(config, options), GENERATED_HEADER);
}

/** The blackbox exporter's module file: /health must answer 2xx within the timeout. */
export function renderBlackboxModules(timeScale: number): string {
  const timeout = timeScale > 1 ? "1s" : "5s";
  const modules = {
    [HEALTH_PROBE_MODULE]: {
      prober: "http",
      timeout,
      http: { valid_status_codes: [200], preferred_ip_protocol: "ip4", method: "GET" },
    },
  };
  return toSortedYaml({ modules }, GENERATED_HEADER);
}

/** The synth renderer: prometheus.yml with the config-derived targets. */
export function prometheusConfigArtifacts(
  config: StackConfig,
  options: { readonly timeScale: number },
): Record<string, string> {
  return { [ArtifactPath.prometheus]: renderPrometheusConfig(config, options) };
}
