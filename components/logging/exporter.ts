import { LOG_PIPELINE_METRICS } from "../../lib/metrics";
import { toSortedYaml } from "../../lib/serialize";
import { PIPELINE_ID } from "./logstash";
import { EXPORTER_PORT, LOGSTASH_API_PORT } from "./names";

/**
 * Logstash has no Prometheus endpoint; prometheus-community/json_exporter turns its node stats
 * API into `logstash_events_in_total` (events the port8000 pipeline received), the series
 * Port8000LogVolumeSpike compares day over day (docs/logging.md).
 */

export const EXPORTER_MODULE = "logstash";
export const LOGSTASH_STATS_URL = `http://127.0.0.1:${LOGSTASH_API_PORT}/_node/stats`;
const [EVENTS_IN] = Object.keys(LOG_PIPELINE_METRICS) as (keyof typeof LOG_PIPELINE_METRICS)[];

export function jsonExporterConfig() {
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
