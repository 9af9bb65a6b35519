import { AlertName } from "../../lib/alert-names";
import { Job } from "../../lib/conventions";
import { selector } from "../format";
import type { AlertDefinition, RuleContext } from "../model";
import { pipelineAlert as alert, pipelineLevel as level } from "./pipeline-rule";
import { pipelineStateAlerts } from "./pipeline-state";

/**
 * Monitoring the monitoring: the backup, log and storage paths behind the alerts (guide 3.1,
 * 3.2). Metric names are the exporters' own: Thanos sidecar's shipper, the json_exporter view
 * of Logstash's node stats (components/logging/exporter.ts), the OpenSearch prometheus-exporter
 * plugin, kubelet volume stats and kube-state-metrics; Filebeat's output and OpenSearch's
 * snapshot and ISM state in pipeline-state.ts. Not in the guide's table: fixed here.
 */

export const PipelineJob = {
  thanosSidecar: Job.thanosSidecar,
  logstash: Job.logPipeline,
  opensearch: Job.opensearch,
  filebeat: Job.filebeat,
  opensearchState: Job.opensearchState,
  kubelet: "kubelet",
  kubeStateMetrics: "kube-state-metrics",
} as const;

export const PIPE = {
  /** Blocks are cut every 2h: three missed uploads is a backup gap worth a look. */
  noUploadWindow: "6h",
  uploadFailureWindow: "15m",
  stallWindow: "15m",
  deadLetterWindow: "15m",
  /** OpenSearch's default disk watermarks: low 85% (no new shards), high 90% (relocation). */
  diskLow: 0.85,
  diskHigh: 0.9,
  volumeWarning: 0.15,
  volumeCritical: 0.05,
} as const;

function thanosUploads(ctx: RuleContext): AlertDefinition[] {
  const job = selector(PipelineJob.thanosSidecar);
  const fw = ctx.range(PIPE.uploadFailureWindow);
  const nw = ctx.range(PIPE.noUploadWindow);
  // Only a sidecar that was already counting a window ago: a new one has had no time to upload.
  const oldEnough = `(thanos_shipper_uploads_total${job} offset ${nw})`;
  return [
    alert(
      AlertName.ThanosSidecarUploadFailures,
      "Thanos sidecar {{ $labels.pod }} fails to upload blocks to the backup bucket",
      `thanos_shipper_upload_failures_total of {{ $labels.pod }} rose by {{ $value | humanize }} in ${fw}. Prometheus blocks are not reaching S3: the backup and the DR restore miss them.`,
      [
        level(
          ctx,
          "warning",
          `increase(thanos_shipper_upload_failures_total${job}[${fw}]) > 0`,
          "15m",
          "any failure",
        ),
      ],
    ),
    alert(
      AlertName.ThanosSidecarNoUpload,
      `Thanos sidecar {{ $labels.pod }} uploaded no block for ${nw}`,
      `thanos_shipper_uploads_total of {{ $labels.pod }} did not move in ${nw}, three block periods. The backup bucket falls behind Prometheus.`,
      [
        level(
          ctx,
          "warning",
          `increase(thanos_shipper_uploads_total${job}[${nw}]) == 0\nand on (job, instance, pod)\n${oldEnough}`,
          "0s",
          `no upload in ${nw}`,
        ),
      ],
    ),
  ];
}

function logstash(ctx: RuleContext): AlertDefinition[] {
  const job = selector(PipelineJob.logstash);
  const sw = ctx.range(PIPE.stallWindow);
  const dw = ctx.range(PIPE.deadLetterWindow);
  const receiving = `sum by (job, instance) (rate(logstash_events_in_total${job}[${sw}])) > 0`;
  return [
    alert(
      AlertName.LogstashDeadLetterGrowth,
      `OpenSearch refused {{ $value | humanize }} log events in ${dw}`,
      `The dead-letter pipeline of {{ $labels.instance }} took {{ $value | humanize }} events in ${dw}: OpenSearch refused them (mapping conflicts). They are archived under the dead-letter prefix but not searchable.`,
      [
        level(
          ctx,
          "warning",
          `increase(logstash_dead_letter_events_total${job}[${dw}]) > 0`,
          "15m",
          "any event",
        ),
      ],
    ),
    alert(
      AlertName.LogstashArchiveOutputStalled,
      "Logstash {{ $labels.instance }} writes nothing to the S3 archive",
      `The s3 output of {{ $labels.instance }} emitted no event in ${sw} while the pipeline receives events. The archive (and the 180-day retention) misses them.`,
      [
        level(
          ctx,
          "warning",
          `sum by (job, instance) (rate(logstash_output_events_out_total${selector(PipelineJob.logstash, 'plugin="s3"')}[${sw}])) == 0\nand on (job, instance)\n${receiving}`,
          "10m",
          "no archive writes",
        ),
      ],
    ),
    alert(
      AlertName.LogstashPipelineStalled,
      "Logstash {{ $labels.instance }} receives log events but emits none",
      `logstash_events_out_total of {{ $labels.instance }} did not move in ${sw} while logstash_events_in_total did: the pipeline is stuck (a blocked output or a full queue). Logs stop reaching OpenSearch and the archive.`,
      [
        level(
          ctx,
          "warning",
          `sum by (job, instance) (rate(logstash_events_out_total${job}[${sw}])) == 0\nand on (job, instance)\n${receiving}`,
          "10m",
          "no events out",
        ),
      ],
    ),
  ];
}

function opensearch(ctx: RuleContext): AlertDefinition[] {
  const job = selector(PipelineJob.opensearch);
  const used = `1 - opensearch_fs_path_available_bytes${job} / opensearch_fs_path_total_bytes${job}`;
  return [
    alert(
      AlertName.OpenSearchClusterHealth,
      "OpenSearch cluster {{ $labels.cluster }} is %colour%",
      "opensearch_cluster_status of {{ $labels.cluster }} is {{ $value }} (0 green, 1 yellow, 2 red). Yellow: replicas unassigned, one node loss from losing data. Red: primaries unassigned, log ingest and search fail.",
      [
        {
          ...level(ctx, "critical", `opensearch_cluster_status${job} >= 2`, "5m", "red"),
          vars: { colour: "red" },
        },
        {
          ...level(ctx, "warning", `opensearch_cluster_status${job} >= 1`, "15m", "yellow"),
          vars: { colour: "yellow or red" },
        },
      ],
    ),
    alert(
      AlertName.OpenSearchDiskWatermark,
      "OpenSearch node {{ $labels.node }} has used {{ $value | humanizePercentage }} of its disk",
      "Disk use of {{ $labels.node }} ({{ $labels.path }}) is {{ $value | humanizePercentage }} (threshold %THRESHOLD%). Past the low watermark (85%) no new shards land on it; past the high one (90%) shards move away; at 95% indices turn read-only and ingest stops.",
      [
        level(ctx, "critical", `${used} > ${PIPE.diskHigh}`, "5m", "90% (high watermark)"),
        level(ctx, "warning", `${used} > ${PIPE.diskLow}`, "15m", "85% (low watermark)"),
      ],
    ),
  ];
}

function prometheusVolume(ctx: RuleContext): AlertDefinition {
  const pvc = selector(
    PipelineJob.kubelet,
    `namespace="${ctx.config.cluster.namespace}"`,
    'persistentvolumeclaim=~"prometheus-.*"',
  );
  const free = `kubelet_volume_stats_available_bytes${pvc}\n/\nkubelet_volume_stats_capacity_bytes${pvc}`;
  return alert(
    AlertName.PrometheusVolumeFilling,
    "Prometheus volume {{ $labels.persistentvolumeclaim }} has {{ $value | humanizePercentage }} free",
    "kubelet_volume_stats_available_bytes / capacity of {{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} (threshold %THRESHOLD%). A full volume stops ingestion: every alert goes blind.",
    [
      level(ctx, "critical", `${free} < ${PIPE.volumeCritical}`, "5m", "5%"),
      level(ctx, "warning", `${free} < ${PIPE.volumeWarning}`, "15m", "15%"),
    ],
  );
}

function crashLooping(ctx: RuleContext): AlertDefinition {
  const waiting = selector(
    PipelineJob.kubeStateMetrics,
    `namespace="${ctx.config.cluster.namespace}"`,
    'reason="CrashLoopBackOff"',
  );
  return alert(
    AlertName.MonitoringPodCrashLooping,
    "{{ $labels.pod }} ({{ $labels.container }}) is crash-looping in the monitoring namespace",
    "kube-state-metrics reports {{ $labels.container }} of {{ $labels.pod }} waiting in CrashLoopBackOff. Part of the monitoring pipeline is down.",
    [
      level(
        ctx,
        "warning",
        `max_over_time(kube_pod_container_status_waiting_reason${waiting}[${ctx.range("5m")}]) >= 1`,
        "15m",
        "CrashLoopBackOff",
      ),
    ],
  );
}

export function pipelineAlerts(ctx: RuleContext): AlertDefinition[] {
  return [
    ...thanosUploads(ctx),
    ...logstash(ctx),
    ...opensearch(ctx),
    prometheusVolume(ctx),
    crashLooping(ctx),
    ...pipelineStateAlerts(ctx),
  ];
}
