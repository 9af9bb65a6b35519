import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { THANOS as THANOS_LIMITS } from "../alerts/catalogue/long-term-metrics";
import { PIPE, PipelineJob } from "../alerts/catalogue/pipeline";
import { THANOS_JOB } from "../components/thanos/names";
import { AlertName } from "../lib/alert-names";
import {
  type DashboardContext,
  query,
  runbookLink,
  stateTimelinePanel,
  thresholds,
  timeseriesPanel,
} from "./common";

/**
 * The monitoring pipeline's storage paths, one panel per signal its alerts watch: Thanos
 * uploads, compaction and store syncs; Logstash flow and dead letters; OpenSearch health and
 * disk; Prometheus' volume; crash-looping monitoring pods. Thresholds are the alerts' own.
 */

const INSTANCE = `instance=~"$instance"`;
const SIDECAR = `job="${PipelineJob.thanosSidecar}", ${INSTANCE}`;
const COMPACT = `job="${THANOS_JOB.compact}", ${INSTANCE}`;
const STORE = `job="${THANOS_JOB.store}", ${INSTANCE}`;
const LOGSTASH = `job="${PipelineJob.logstash}", ${INSTANCE}`;
const OPENSEARCH = `job="${PipelineJob.opensearch}", ${INSTANCE}`;

function links(ctx: DashboardContext) {
  return [runbookLink(ctx, "monitoring-pipeline", "monitoring pipeline")];
}

export function thanosRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  b.withRow(new dashboard.RowBuilder("Long-term metrics (Thanos)"))
    .withPanel(
      timeseriesPanel({
        title: "Prometheus block uploads",
        description: `Blocks each Thanos sidecar uploaded to the backup bucket (thanos_shipper_uploads_total) and failed uploads (thanos_shipper_upload_failures_total), per hour. ${AlertName.ThanosSidecarUploadFailures} warns on any failure; ${AlertName.ThanosSidecarNoUpload} when no block left in ${PIPE.noUploadWindow}.`,
        unit: "short",
        queries: [
          query(
            `sum by (instance) (increase(thanos_shipper_uploads_total{${SIDECAR}}[1h]))`,
            "{{instance}} uploaded",
            "A",
          ),
          query(
            `sum by (instance) (increase(thanos_shipper_upload_failures_total{${SIDECAR}}[1h]))`,
            "{{instance}} failed",
            "B",
          ),
        ],
        links: links(ctx),
        min: 0,
      }),
    )
    .withPanel(
      stateTimelinePanel({
        title: "Compactor",
        description: `Whether the Thanos Compactor has halted on an error it will not retry (thanos_compact_halted: 0 running, 1 halted); ${AlertName.ThanosCompactHalted} warns while it is 1.`,
        queries: [query(`max by (instance) (thanos_compact_halted{${COMPACT}})`, "{{instance}}")],
        states: [
          { value: 0, text: "running", color: "green" },
          { value: 1, text: "halted", color: "orange" },
        ],
        links: links(ctx),
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Store Gateway sync failures",
        description: `Failed block-metadata syncs of each Store Gateway over ${THANOS_LIMITS.syncWindow} (thanos_blocks_meta_sync_failures_total); the line is the ${AlertName.ThanosStoreSyncFailures} threshold.`,
        unit: "short",
        queries: [
          query(
            `sum by (instance) (increase(thanos_blocks_meta_sync_failures_total{${STORE}}[${THANOS_LIMITS.syncWindow}]))`,
            "{{instance}}",
          ),
        ],
        thresholds: thresholds({ warning: THANOS_LIMITS.syncFailures }),
        links: links(ctx),
        min: 0,
      }),
    );
}

export function logstashRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  b.withRow(new dashboard.RowBuilder("Log pipeline (Logstash)"))
    .withPanel(
      timeseriesPanel({
        title: "Logstash events in and out",
        description: `Events per second into Logstash (logstash_events_in_total), out of it (logstash_events_out_total) and into the S3 archive output (logstash_output_events_out_total, plugin s3). ${AlertName.LogstashPipelineStalled} warns when out stays 0 while in does not; ${AlertName.LogstashArchiveOutputStalled} when the archive line does.`,
        unit: "ops",
        queries: [
          query(
            `sum by (instance) (rate(logstash_events_in_total{${LOGSTASH}}[$__rate_interval]))`,
            "{{instance}} in",
            "A",
          ),
          query(
            `sum by (instance) (rate(logstash_events_out_total{${LOGSTASH}}[$__rate_interval]))`,
            "{{instance}} out",
            "B",
          ),
          query(
            `sum by (instance) (rate(logstash_output_events_out_total{${LOGSTASH}, plugin="s3"}[$__rate_interval]))`,
            "{{instance}} to archive",
            "C",
          ),
        ],
        links: links(ctx),
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Log events ingested",
        description: `Log events per second into Logstash (logstash_events_in_total), and the same time a day before: ${AlertName.Port8000LogVolumeSpike} compares the two.`,
        unit: "ops",
        queries: [
          query(`sum(rate(logstash_events_in_total{${LOGSTASH}}[$__rate_interval]))`, "now", "A"),
          query(
            `sum(rate(logstash_events_in_total{${LOGSTASH}}[$__rate_interval] offset 1d))`,
            "a day before",
            "B",
          ),
        ],
        links: links(ctx),
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Dead-lettered events",
        description: `Events OpenSearch refused, taken by the dead-letter pipeline, over ${PIPE.deadLetterWindow} (logstash_dead_letter_events_total); ${AlertName.LogstashDeadLetterGrowth} warns on any. The line marks one event.`,
        unit: "short",
        queries: [
          query(
            `sum by (instance) (increase(logstash_dead_letter_events_total{${LOGSTASH}}[${PIPE.deadLetterWindow}]))`,
            "{{instance}}",
          ),
        ],
        thresholds: thresholds({ warning: 1 }),
        links: links(ctx),
        min: 0,
      }),
    );
}

export function storageRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  b.withRow(new dashboard.RowBuilder("Log store and volumes"))
    .withPanel(
      stateTimelinePanel({
        title: "OpenSearch cluster health",
        description: `opensearch_cluster_status per cluster (0 green, 1 yellow, 2 red); ${AlertName.OpenSearchClusterHealth} warns at yellow and pages at red.`,
        queries: [
          query(`max by (cluster) (opensearch_cluster_status{${OPENSEARCH}})`, "{{cluster}}"),
        ],
        states: [
          { value: 0, text: "green", color: "green" },
          { value: 1, text: "yellow", color: "orange" },
          { value: 2, text: "red", color: "red" },
        ],
        links: links(ctx),
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "OpenSearch disk used",
        description: `Disk used per OpenSearch node and path (1 - opensearch_fs_path_available_bytes / _total_bytes); the lines are the low (85%) and high (90%) watermarks ${AlertName.OpenSearchDiskWatermark} warns and pages on.`,
        unit: "percentunit",
        queries: [
          query(
            `1 - opensearch_fs_path_available_bytes{${OPENSEARCH}}\n/\nopensearch_fs_path_total_bytes{${OPENSEARCH}}`,
            "{{node}} {{path}}",
          ),
        ],
        thresholds: thresholds({ warning: PIPE.diskLow, critical: PIPE.diskHigh }),
        links: links(ctx),
        min: 0,
        max: 1,
      }),
    )
    .withPanel(volumePanel(ctx));
}

function volumePanel(ctx: DashboardContext) {
  const pvc = `job="${PipelineJob.kubelet}", namespace="${ctx.config.cluster.namespace}", persistentvolumeclaim=~"prometheus-.*", ${INSTANCE}`;
  return timeseriesPanel({
    title: "Prometheus volume free",
    description: `Free share of each Prometheus volume (kubelet_volume_stats_available_bytes / capacity); the lines are the ${AlertName.PrometheusVolumeFilling} thresholds. The instance variable matches the kubelet of the volume's node.`,
    unit: "percentunit",
    queries: [
      query(
        `kubelet_volume_stats_available_bytes{${pvc}}\n/\nkubelet_volume_stats_capacity_bytes{${pvc}}`,
        "{{persistentvolumeclaim}}",
      ),
    ],
    thresholds: thresholds({ warning: PIPE.volumeWarning, critical: PIPE.volumeCritical }, "below"),
    links: links(ctx),
    min: 0,
    max: 1,
  });
}

export function crashLoopRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const waiting = `job="${PipelineJob.kubeStateMetrics}", namespace="${ctx.config.cluster.namespace}", reason="CrashLoopBackOff"`;
  b.withRow(new dashboard.RowBuilder("Monitoring pods")).withPanel(
    stateTimelinePanel({
      title: "Containers crash-looping",
      description: `Containers of the ${ctx.config.cluster.namespace} namespace kube-state-metrics reports waiting in CrashLoopBackOff (kube_pod_container_status_waiting_reason); ${AlertName.MonitoringPodCrashLooping} warns after 15 minutes. No data: none crash-loops. Ignores the instance variable: kube-state-metrics reports every pod from one target.`,
      queries: [
        query(
          `max by (pod, container) (kube_pod_container_status_waiting_reason{${waiting}})`,
          "{{pod}} {{container}}",
        ),
      ],
      states: [
        { value: 0, text: "running", color: "green" },
        { value: 1, text: "CrashLoopBackOff", color: "orange" },
      ],
      links: links(ctx),
      width: 24,
    }),
  );
}
