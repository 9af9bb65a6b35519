import { LOGSTASH_HEALTH_METRICS } from "../../components/logging/exporter";
import { FILEBEAT_OUTPUT_METRICS } from "../../components/logging/filebeat-exporter";
import { StateMetric } from "../../components/opensearch/state-exporter";
import { APP_METRICS, LOG_PIPELINE_METRICS, NODE_METRICS } from "../../lib/metrics";
import { committedRules } from "./support";

/** Rules may only read series the app, the exporters or the monitoring stack itself expose. */
const SELF_METRICS = [
  "up",
  "probe_success",
  "prometheus_rule_evaluation_failures_total",
  "prometheus_notifications_errors_total",
  "prometheus_notifications_sent_total",
  "prometheus_config_last_reload_successful",
  "alertmanager_notifications_failed_total",
  "alertmanager_notifications_total",
  "alertmanager_config_last_reload_successful",
  // The monitoring pipeline's exporters (alerts/catalogue/pipeline.ts, public.ts).
  "probe_ssl_earliest_cert_expiry",
  "thanos_shipper_upload_failures_total",
  "thanos_shipper_uploads_total",
  "opensearch_cluster_status",
  "opensearch_fs_path_available_bytes",
  "opensearch_fs_path_total_bytes",
  "kubelet_volume_stats_available_bytes",
  "kubelet_volume_stats_capacity_bytes",
  "kube_pod_container_status_waiting_reason",
  ...Object.keys(LOGSTASH_HEALTH_METRICS),
  // json_exporter on Filebeat's /stats and on the index-management explain APIs; the real
  // exporter serves each (tests/logging/json-exporters.test.ts).
  ...Object.keys(FILEBEAT_OUTPUT_METRICS),
  ...Object.values(StateMetric),
  // Thanos v0.42 (cmd/thanos/compact.go; pkg/block/fetcher.go, subsystem blocks_meta).
  "thanos_compact_halted",
  "thanos_blocks_meta_sync_failures_total",
];

function known(name: string, recorded: Set<string>): boolean {
  const histogram = name.replace(/_(bucket|sum|count)$/, "");
  return (
    recorded.has(name) ||
    name in APP_METRICS ||
    histogram in APP_METRICS ||
    name in LOG_PIPELINE_METRICS ||
    (NODE_METRICS as readonly string[]).includes(name) ||
    SELF_METRICS.includes(name)
  );
}

describe("series the rules read", () => {
  const rules = committedRules().groups.flatMap((g) => g.rules);
  const recorded = new Set(rules.flatMap((r) => ("record" in r ? [r.record] : [])));
  const exprs = rules.map((r) => r.expr).join("\n");

  it("are all named in lib/metrics.ts, exporter or self-monitoring metrics, or recorded here", () => {
    const selectors = [...exprs.matchAll(/([a-zA-Z_:][\w:]*)\{/g)].map((m) => m[1]);
    expect(selectors.length).toBeGreaterThan(40);
    expect([...new Set(selectors)].filter((n) => !known(n, recorded))).toEqual([]);
  });

  it("select Port 8000 and node series by their contract jobs", () => {
    for (const name of Object.keys(APP_METRICS)) {
      for (const m of exprs.matchAll(new RegExp(`\\b${name}(_bucket)?\\{([^}]*)\\}`, "g"))) {
        expect(m[2]).toContain('job="port8000"');
      }
    }
    for (const m of exprs.matchAll(/\bnode_\w+\{([^}]*)\}/g)) expect(m[1]).toContain('job="node"');
  });

  it("records every level:metric:operation name the alerts read", () => {
    const read = [...exprs.matchAll(/\b(\w+:\w+:\w+)\b/g)].map((m) => m[1]);
    expect([...new Set(read)].filter((n) => !recorded.has(n))).toEqual([]);
    for (const name of recorded) expect(name).toMatch(/^[a-z]+:[a-z_]+:[a-z0-9_]+$/);
  });
});
