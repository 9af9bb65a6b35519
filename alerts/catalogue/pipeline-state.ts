import { SNAPSHOT_FAILED_STATUSES, StateMetric } from "../../components/opensearch/state-exporter";
import { AlertName } from "../../lib/alert-names";
import { Job } from "../../lib/conventions";
import { selector } from "../format";
import type { AlertDefinition, RuleContext } from "../model";
import { pipelineAlert as alert, pipelineLevel as level } from "./pipeline-rule";

/**
 * The log pipeline's ends that the exporter plugin and Logstash's stats do not show: Filebeat
 * failing or dropping on its way to Logstash (json_exporter on Filebeat's /stats), and the
 * index-management plugin's daily snapshots and ISM lifecycle (json_exporter on its explain
 * APIs, components/opensearch/state-exporter.ts). Health and disk watermarks are pipeline.ts'.
 */

export const SHIP = {
  /** Short rate window, long hold: errors in every 5m for 15m, not one burst during a restart. */
  errorRateWindow: "5m",
  errorHold: "15m",
  dropWindow: "15m",
  /** The explain APIs change per run (daily) or per ISM job (5m): 5m rides out a bad scrape. */
  stateHold: "5m",
  scrapeDownHold: "15m",
} as const;

function filebeat(ctx: RuleContext): AlertDefinition[] {
  const job = selector(Job.filebeat);
  const w = ctx.range(SHIP.errorRateWindow);
  const dw = ctx.range(SHIP.dropWindow);
  const failing = `rate(filebeat_output_events_failed_total${job}[${w}])\n+\nrate(filebeat_output_write_errors_total${job}[${w}])`;
  return [
    alert(
      AlertName.FilebeatOutputErrors,
      "Filebeat on {{ $labels.node }} fails to ship logs to Logstash",
      `Filebeat's Logstash output on {{ $labels.node }} reports failed events or write errors (filebeat_output_events_failed_total, filebeat_output_write_errors_total) in every ${w} for ${SHIP.errorHold}: {{ $value | humanize }}/s. Filebeat retries, so nothing is lost yet, but the node's logs stop reaching OpenSearch and the archive, and a rotated file can be gone before it is read.`,
      [
        level(
          ctx,
          "warning",
          `sum by (job, instance, node) (\n${failing}\n) > 0`,
          SHIP.errorHold,
          "any error",
        ),
      ],
    ),
    alert(
      AlertName.FilebeatEventsDropped,
      "Filebeat on {{ $labels.node }} dropped {{ $value | humanize }} log events",
      `Filebeat on {{ $labels.node }} dropped {{ $value | humanize }} events in ${dw}: the output gave them up on an error it does not retry (filebeat_output_events_dropped_total: an event it cannot encode), or the pipeline did after the output's retries (filebeat_pipeline_events_dropped_total). They are lost: neither OpenSearch nor the archive has them.`,
      [
        level(
          ctx,
          "warning",
          `increase(filebeat_output_events_dropped_total${job}[${dw}]) > 0\nor\nincrease(filebeat_pipeline_events_dropped_total${job}[${dw}]) > 0`,
          "0s",
          "any event",
        ),
      ],
    ),
  ];
}

function snapshots(ctx: RuleContext): AlertDefinition {
  const failed = selector(Job.opensearchState, `status=~"${SNAPSHOT_FAILED_STATUSES.join("|")}"`);
  const workflow = (metric: string, name: string) =>
    `label_replace(${metric}${failed} == 1, "workflow", "${name}", "", "")`;
  return alert(
    AlertName.OpenSearchSnapshotFailed,
    "OpenSearch snapshot {{ $labels.workflow }} of policy {{ $labels.policy }} ended {{ $labels.status }}",
    "The latest {{ $labels.workflow }} run of the snapshot-management policy {{ $labels.policy }} ended {{ $labels.status }} (GET _plugins/_sm/policies/{{ $labels.policy }}/_explain). Creation: last night's indices have no snapshot in the archive bucket, the next try is tomorrow's run. Deletion: snapshots past the retention stay in the bucket.",
    [
      level(
        ctx,
        "warning",
        `${workflow(StateMetric.snapshotCreation, "creation")}\nor\n${workflow(StateMetric.snapshotDeletion, "deletion")}`,
        SHIP.stateHold,
        "latest run failed",
      ),
    ],
  );
}

/**
 * ISM stops an index (disables its job) on either flag: `action.failed` once a step used up its
 * retries (the common case: retry_info stays unfailed), `retry_info.failed` on a policy-level
 * failure (version conflict, missing state or action). `== 1` before `or`: both series share
 * their labels, and `or` would keep one side's 0 and drop the other side's 1.
 */
function ism(ctx: RuleContext): AlertDefinition {
  const job = selector(Job.opensearchState);
  const stopped = `${StateMetric.ismActionFailed}${job} == 1\nor\n${StateMetric.ismPolicyFailed}${job} == 1`;
  return alert(
    AlertName.OpenSearchIsmStepFailed,
    "ISM stopped on index {{ $labels.index }} ({{ $labels.state }}/{{ $labels.action }})",
    "ISM stopped managing {{ $labels.index }} (policy {{ $labels.policy_id }}, state {{ $labels.state }}, action {{ $labels.action }}): the action failed and used up its retries (action.failed), or the policy itself failed (retry_info.failed: version conflict, missing state or action). GET _plugins/_ism/explain/{{ $labels.index }} shows which and the cause in info.message. The index stays on the hot tier or is never deleted until someone fixes the cause and retries it.",
    [
      level(
        ctx,
        "warning",
        `max by (job, index, policy_id, state, action) (\n${stopped}\n)`,
        SHIP.stateHold,
        "ISM stopped",
      ),
    ],
  );
}

/** The state exporter reporting nothing is not "no failures": its own failed scrapes warn. */
function stateScrape(ctx: RuleContext): AlertDefinition {
  return alert(
    AlertName.OpenSearchStateScrapeFailing,
    "Snapshot and ISM state of OpenSearch is unknown ({{ $labels.module }})",
    `Prometheus' scrapes of the OpenSearch state exporter (module {{ $labels.module }}) failed for ${SHIP.scrapeDownHold}: ${AlertName.OpenSearchSnapshotFailed} and ${AlertName.OpenSearchIsmStepFailed} cannot fire. The exporter cannot reach OpenSearch, its user is refused, or its pod is down.`,
    [
      level(
        ctx,
        "warning",
        `up${selector(Job.opensearchState)} == 0`,
        SHIP.scrapeDownHold,
        "scrape failing",
      ),
    ],
  );
}

export function pipelineStateAlerts(ctx: RuleContext): AlertDefinition[] {
  return [...filebeat(ctx), snapshots(ctx), ism(ctx), stateScrape(ctx)];
}
