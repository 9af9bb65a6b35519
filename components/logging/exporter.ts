import { LOG_PIPELINE_METRICS } from "../../lib/metrics";
import { toSortedYaml } from "../../lib/serialize";
import { DEAD_LETTER_PIPELINE_ID, PIPELINE_ID } from "./logstash";
import { EXPORTER_PORT, LOGSTASH_API_PORT } from "./names";

/**
 * Logstash has no Prometheus endpoint; prometheus-community/json_exporter turns its node stats
 * API into `logstash_events_in_total` (events the port8000 pipeline received), the series
 * Port8000LogVolumeSpike compares day over day (docs/logging.md).
 */

export const EXPORTER_MODULE = "logstash";
export const LOGSTASH_STATS_URL = `http://127.0.0.1:${LOGSTASH_API_PORT}/_node/stats`;
const [EVENTS_IN] = Object.keys(LOG_PIPELINE_METRICS) as (keyof typeof LOG_PIPELINE_METRICS)[];

/**
 * The pipeline's own health (alerts/catalogue/pipeline.ts), from the same node stats: events
 * leaving the pipeline, those the s3 output emitted, and those the dead-letter pipeline read
 * back (events OpenSearch refused).
 */
export const LOGSTASH_HEALTH_METRICS = {
  logstash_events_out_total: {
    help: LOG_PIPELINE_METRICS.logstash_events_out_total.help,
    path: `{.pipelines.${PIPELINE_ID}.events.out}`,
    labels: { pipeline: PIPELINE_ID },
  },
  logstash_output_events_out_total: {
    help: LOG_PIPELINE_METRICS.logstash_output_events_out_total.help,
    path: `{.pipelines.${PIPELINE_ID}.plugins.outputs[?(@.name=="s3")].events.out}`,
    labels: { pipeline: PIPELINE_ID, plugin: "s3" },
  },
  logstash_dead_letter_events_total: {
    help: LOG_PIPELINE_METRICS.logstash_dead_letter_events_total.help,
    path: `{.pipelines.${DEAD_LETTER_PIPELINE_ID}.events.in}`,
    labels: { pipeline: DEAD_LETTER_PIPELINE_ID },
  },
} as const;

export function jsonExporterConfig() {
  const health = Object.entries(LOGSTASH_HEALTH_METRICS).map(([name, m]) => ({
    name,
    type: "value",
    help: m.help,
    path: m.path,
    labels: m.labels,
    valuetype: "counter",
  }));
  return {
    modules: {
      [EXPORTER_MODULE]: {
        metrics: [
          {
            name: EVENTS_IN,
            type: "value",
            help: LOG_PIPELINE_METRICS[EVENTS_IN].help,
            path: `{.pipelines.${PIPELINE_ID}.events.in}`,
            labels: { pipeline: PIPELINE_ID },
            valuetype: "counter",
          },
          ...health,
        ],
      },
    },
  };
}

/** The scrape endpoint the `logstash` ServiceMonitor uses: json_exporter's /probe. */
export const exporterEndpoint = {
  port: "metrics",
  path: "/probe",
  params: { module: [EXPORTER_MODULE], target: [LOGSTASH_STATS_URL] },
};
export { EXPORTER_PORT };

export const jsonExporterYaml = () => toSortedYaml(jsonExporterConfig());
