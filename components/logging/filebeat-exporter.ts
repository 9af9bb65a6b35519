import { toSortedYaml } from "../../lib/serialize";
import { EXPORTER_PORT } from "./names";

/**
 * Filebeat has no Prometheus endpoint: its HTTP monitoring endpoint (`http.enabled`, bound to
 * the pod's loopback) serves the libbeat stats registry as JSON at /stats, and a json_exporter
 * sidecar in the same pod turns the output and pipeline counters into the series the
 * Filebeat alerts read (alerts/catalogue/pipeline-state.ts). Paths follow the registry:
 * `libbeat.output.events.*` and `.write.errors` (libbeat/outputs/metrics.go),
 * `libbeat.pipeline.events.*` (the publisher pipeline's counters).
 */

/** Filebeat's default monitoring port, set explicitly so the sidecar's target cannot drift. */
export const FILEBEAT_STATS_PORT = 5066;
export const FILEBEAT_STATS_URL = `http://127.0.0.1:${FILEBEAT_STATS_PORT}/stats`;
export const FILEBEAT_EXPORTER_MODULE = "filebeat";
export const FILEBEAT_EXPORTER_PORT = EXPORTER_PORT;

interface CounterSpec {
  readonly help: string;
  readonly path: string;
}

export const FILEBEAT_OUTPUT_METRICS: Readonly<Record<string, CounterSpec>> = {
  filebeat_output_events_total: {
    help: "Events handed to the output (libbeat.output.events.total).",
    path: "{.libbeat.output.events.total}",
  },
  filebeat_output_events_acked_total: {
    help: "Events the output's receiver (Logstash) acknowledged (libbeat.output.events.acked).",
    path: "{.libbeat.output.events.acked}",
  },
  filebeat_output_events_failed_total: {
    help: "Events the output failed to send and will retry (libbeat.output.events.failed).",
    path: "{.libbeat.output.events.failed}",
  },
  filebeat_output_events_dropped_total: {
    help: "Events the output dropped on a non-retryable error: lost (libbeat.output.events.dropped).",
    path: "{.libbeat.output.events.dropped}",
  },
  filebeat_output_write_errors_total: {
    help: "Network write errors of the output's connections (libbeat.output.write.errors).",
    path: "{.libbeat.output.write.errors}",
  },
  filebeat_pipeline_events_published_total: {
    help: "Events the inputs published into the pipeline (libbeat.pipeline.events.published).",
    path: "{.libbeat.pipeline.events.published}",
  },
  filebeat_pipeline_events_dropped_total: {
    help: "Events the pipeline dropped before the output (libbeat.pipeline.events.dropped).",
    path: "{.libbeat.pipeline.events.dropped}",
  },
};

export function filebeatExporterConfig() {
  const metrics = Object.entries(FILEBEAT_OUTPUT_METRICS).map(([name, m]) => ({
    name,
    type: "value",
    help: m.help,
    path: m.path,
    valuetype: "counter",
  }));
  return { modules: { [FILEBEAT_EXPORTER_MODULE]: { metrics } } };
}

export const filebeatExporterYaml = () => toSortedYaml(filebeatExporterConfig());

/** The PodMonitor's endpoint: json_exporter's /probe of the pod's own Filebeat. */
export const filebeatExporterEndpoint = {
  port: "metrics",
  path: "/probe",
  params: { module: [FILEBEAT_EXPORTER_MODULE], target: [FILEBEAT_STATS_URL] },
};
