import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { SHIP } from "../alerts/catalogue/pipeline-state";
import { SNAPSHOT_FAILED_STATUSES, StateMetric } from "../components/opensearch/state-exporter";
import { AlertName } from "../lib/alert-names";
import { Job } from "../lib/conventions";
import {
  type DashboardContext,
  instantQuery,
  query,
  runbookLink,
  statPanel,
  thresholds,
  timeseriesPanel,
} from "./common";

/**
 * The log pipeline's two ends the Logstash and storage rows do not show: Filebeat shipping from
 * every node, and OpenSearch's snapshots and ISM lifecycle. One panel per alert signal.
 */

const INSTANCE = `instance=~"$instance"`;
const FILEBEAT = `job="${Job.filebeat}", ${INSTANCE}`;
const STATE = `job="${Job.opensearchState}", ${INSTANCE}`;
const FAILED = `status=~"${SNAPSHOT_FAILED_STATUSES.join("|")}"`;

function links(ctx: DashboardContext) {
  return [runbookLink(ctx, "monitoring-pipeline", "monitoring pipeline")];
}

export function logShippingRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const rate = (metric: string) => `sum by (node) (rate(${metric}{${FILEBEAT}}[$__rate_interval]))`;
  b.withRow(new dashboard.RowBuilder("Log shipping (Filebeat)"))
    .withPanel(
      timeseriesPanel({
        title: "Filebeat output: acked, failed, write errors",
        description: `Events per second each node's Filebeat got acknowledged by Logstash (filebeat_output_events_acked_total), failed and will retry (filebeat_output_events_failed_total), and network write errors (filebeat_output_write_errors_total). ${AlertName.FilebeatOutputErrors} warns when failures or write errors go on in every ${SHIP.errorRateWindow} for ${SHIP.errorHold}.`,
        unit: "ops",
        queries: [
          query(rate("filebeat_output_events_failed_total"), "{{node}} failed", "A"),
          query(rate("filebeat_output_write_errors_total"), "{{node}} write errors", "B"),
          query(rate("filebeat_output_events_acked_total"), "{{node}} acked", "C"),
        ],
        links: links(ctx),
        width: 16,
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Filebeat events dropped",
        description: `Log events lost per node in ${SHIP.dropWindow}: given up by the output (filebeat_output_events_dropped_total) or by the pipeline after the output's retries (filebeat_pipeline_events_dropped_total). ${AlertName.FilebeatEventsDropped} warns on any.`,
        unit: "short",
        queries: [
          query(
            `sum by (node) (increase(filebeat_output_events_dropped_total{${FILEBEAT}}[${SHIP.dropWindow}]))`,
            "{{node}} output",
            "A",
          ),
          query(
            `sum by (node) (increase(filebeat_pipeline_events_dropped_total{${FILEBEAT}}[${SHIP.dropWindow}]))`,
            "{{node}} pipeline",
            "B",
          ),
        ],
        thresholds: thresholds({ warning: 1 }),
        links: links(ctx),
        width: 8,
        min: 0,
      }),
    );
}

export function opensearchStateRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  b.withRow(new dashboard.RowBuilder("OpenSearch snapshots and ISM"))
    .withPanel(
      statPanel({
        title: "Failed snapshot runs",
        description: `Snapshot-management workflows (creation, deletion) whose latest run ended ${SNAPSHOT_FAILED_STATUSES.join(" or ")} (${StateMetric.snapshotCreation}, ${StateMetric.snapshotDeletion}); ${AlertName.OpenSearchSnapshotFailed} warns after ${SHIP.stateHold}.`,
        unit: "short",
        queries: [
          instantQuery(
            `count(${StateMetric.snapshotCreation}{${STATE}, ${FAILED}} == 1 or ${StateMetric.snapshotDeletion}{${STATE}, ${FAILED}} == 1) or vector(0)`,
            "failed",
          ),
        ],
        thresholds: thresholds({ warning: 1 }),
        links: links(ctx),
        width: 6,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Latest snapshot run by status",
        description: `1 for the status of each policy's latest creation and deletion run (${StateMetric.snapshotCreation}, ${StateMetric.snapshotDeletion}): SUCCESS, IN_PROGRESS, RETRYING, FAILED, TIME_LIMIT_EXCEEDED.`,
        unit: "none",
        queries: [
          query(
            `max by (policy, status) (${StateMetric.snapshotCreation}{${STATE}})`,
            "{{policy}} creation {{status}}",
            "A",
          ),
          query(
            `max by (policy, status) (${StateMetric.snapshotDeletion}{${STATE}})`,
            "{{policy}} deletion {{status}}",
            "B",
          ),
        ],
        links: links(ctx),
        width: 9,
        min: 0,
        max: 1,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "ISM failed indices",
        description: `Managed indices ISM stopped on (${AlertName.OpenSearchIsmStepFailed} warns after ${SHIP.stateHold}): a step that used up its retries (${StateMetric.ismActionFailed}) or a policy-level failure such as a version conflict (${StateMetric.ismPolicyFailed}). An action between retries is not failed yet and does not show.`,
        unit: "short",
        queries: [
          query(
            `sum by (index, state, action) (${StateMetric.ismActionFailed}{${STATE}})`,
            "{{index}} {{state}}/{{action}} retries used up",
            "A",
          ),
          query(
            `sum by (index, state, action) (${StateMetric.ismPolicyFailed}{${STATE}})`,
            "{{index}} {{state}}/{{action}} policy failed",
            "B",
          ),
        ],
        thresholds: thresholds({ warning: 1 }),
        links: links(ctx),
        width: 9,
        min: 0,
      }),
    );
}
