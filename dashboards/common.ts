import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as statetimeline from "@grafana/grafana-foundation-sdk/statetimeline";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import type { RunbookFile } from "../alerts/model";
import type { StackConfig } from "../components/config/schema";
import type { Direction } from "../components/config/thresholds";
import { Job, SERVICE_LABEL } from "../lib/conventions";
import {
  AnnotationTag,
  DatasourceName,
  DatasourceType,
  DatasourceUid,
  DatasourceVar,
  serviceTag,
} from "./conventions";

/** Small factories every dashboard shares: datasources, variables, annotations, panels. */

export interface DashboardContext {
  readonly config: StackConfig;
}

export const PROMETHEUS: dashboard.DataSourceRef = {
  type: DatasourceType.prometheus,
  uid: `\${${DatasourceVar.prometheus}}`,
};

export const LOGS: dashboard.DataSourceRef = {
  type: DatasourceType.opensearch,
  uid: `\${${DatasourceVar.logs}}`,
};

export function prometheusVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder(DatasourceVar.prometheus)
    .label("Prometheus")
    .type(DatasourceType.prometheus)
    .current({ text: DatasourceName.prometheus, value: DatasourceUid.prometheus });
}

export function logsVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder(DatasourceVar.logs)
    .label("Logs")
    .type(DatasourceType.opensearch)
    .current({ text: DatasourceName.logs, value: DatasourceUid.logs });
}

/** A multi-value label variable over one job's targets (`instance`, `bot`). */
export function labelVariable(
  name: string,
  job: string,
  label = name,
): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(name)
    .datasource(PROMETHEUS)
    .query({ qryType: 1, query: `label_values(up{job="${job}"}, ${label})`, refId: name })
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(".+");
}

export function botVariable(): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder("bot")
    .label("bot")
    .datasource(PROMETHEUS)
    .query({
      qryType: 1,
      query: `label_values(bot_active{job="${Job.port8000}", instance=~"$instance"}, bot)`,
      refId: "bot",
    })
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(".+");
}

/**
 * Built-in Grafana annotations by tags (all must match): what the automation service writes.
 * Deploys carry `service:<name>`, so a dashboard shows the deploys of the service it watches
 * only, not every deploy posted to this Grafana.
 */
function tagAnnotation(name: string, tags: readonly string[], color: string) {
  return new dashboard.AnnotationQueryBuilder()
    .name(name)
    .datasource({ type: "grafana", uid: "-- Grafana --" })
    .enable(true)
    .iconColor(color)
    .target(
      new dashboard.AnnotationTargetBuilder()
        .type("tags")
        .tags([...tags])
        .matchAny(false)
        .limit(100),
    );
}

/** `service` is the deploying service whose deploys the dashboard marks. */
export function annotations(service: string): dashboard.AnnotationQueryBuilder[] {
  return [
    tagAnnotation("Deploys", [AnnotationTag.deploy, serviceTag(service)], "blue"),
    tagAnnotation("Incidents", [AnnotationTag.incident], "red"),
  ];
}

export function runbookLink(ctx: DashboardContext, file: RunbookFile, title: string) {
  return new dashboard.DashboardLinkBuilder(`Runbook: ${title}`)
    .type(dashboard.DashboardLinkType.Link)
    .url(`${ctx.config.links.runbookBaseUrl}/${file}.md`)
    .targetBlank(true);
}

/** Warning and critical steps of one configured threshold, in the direction it alerts. */
export function thresholds(
  levels: { readonly warning?: number; readonly critical?: number },
  direction: Direction = "above",
): dashboard.ThresholdsConfigBuilder {
  const { warning, critical } = levels;
  const steps: dashboard.Threshold[] =
    direction === "above"
      ? [
          { value: null, color: "green" },
          ...(warning === undefined ? [] : [{ value: warning, color: "orange" }]),
          ...(critical === undefined ? [] : [{ value: critical, color: "red" }]),
        ]
      : [
          { value: null, color: critical === undefined ? "orange" : "red" },
          ...(critical === undefined || warning === undefined
            ? []
            : [{ value: critical, color: "orange" }]),
          { value: warning ?? (critical as number), color: "green" },
        ];
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps(steps);
}

export function query(expr: string, legend: string, refId = "A"): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder()
    .datasource(PROMETHEUS)
    .expr(expr)
    .legendFormat(legend)
    .refId(refId)
    .range();
}

/** One value now (the stat panels' "is it broken?" answers), not a series per refresh. */
export function instantQuery(
  expr: string,
  legend: string,
  refId = "A",
): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder()
    .datasource(PROMETHEUS)
    .expr(expr)
    .legendFormat(legend)
    .refId(refId)
    .instant();
}

/** A legend as a table sorted by the latest value: readable with many series (per-bot panels). */
export function tableLegend(): common.VizLegendOptionsBuilder {
  return new common.VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(common.LegendDisplayMode.Table)
    .placement(common.LegendPlacement.Right)
    .calcs(["lastNotNull", "max"])
    .sortBy("Last *")
    .sortDesc(true);
}

export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly queries: readonly prometheus.DataqueryBuilder[];
  readonly thresholds?: dashboard.ThresholdsConfigBuilder;
  readonly links: readonly dashboard.DashboardLinkBuilder[];
  readonly width?: number;
  readonly min?: number;
  readonly max?: number;
  /** Many series (one per bot): a sorted table legend instead of a list. */
  readonly manySeries?: boolean;
  /** Names for discrete values (a stat of 0/1). */
  readonly mappings?: readonly StateSpec[];
}

function valueMappings(states: readonly StateSpec[]): dashboard.ValueMapping[] {
  const options = Object.fromEntries(
    states.map((s, index) => [String(s.value), { text: s.text, color: s.color, index }]),
  );
  return [{ type: dashboard.MappingType.ValueToText, options }];
}

export function timeseriesPanel(spec: PanelSpec): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(PROMETHEUS)
    .unit(spec.unit)
    .targets([...spec.queries])
    .links([...spec.links])
    .span(spec.width ?? 8)
    .height(8)
    .fillOpacity(10);
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  if (spec.manySeries) panel.legend(tableLegend());
  if (spec.thresholds) {
    panel
      .thresholds(spec.thresholds)
      .thresholdsStyle(
        new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed),
      );
  }
  return panel;
}

export function statPanel(spec: PanelSpec): stat.PanelBuilder {
  const panel = new stat.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(PROMETHEUS)
    .unit(spec.unit)
    .targets([...spec.queries])
    .links([...spec.links])
    .span(spec.width ?? 6)
    .height(4)
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.None);
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  if (spec.thresholds) panel.thresholds(spec.thresholds);
  if (spec.mappings) panel.mappings(valueMappings(spec.mappings));
  return panel;
}

/** The dashboard frame: uid, tags, variables, annotations, refresh; each file adds its rows. */
export function dashboardFrame(
  ctx: DashboardContext,
  uid: string,
  title: string,
  description: string,
  variables: readonly { build(): dashboard.VariableModel }[],
  deploysOf: string = ctx.config.service.name,
): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([SERVICE_LABEL, ...ctx.config.dashboards.tags])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .refresh(ctx.config.dashboards.refresh)
    .time({ from: "now-6h", to: "now" })
    .timezone("browser")
    .variables([...variables])
    .annotations(annotations(deploysOf))
    .link(
      new dashboard.DashboardLinkBuilder("Port 8000 dashboards")
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags([SERVICE_LABEL])
        .asDropdown(true)
        .keepTime(true)
        .includeVars(false),
    );
}

export interface StateSpec {
  readonly value: number;
  readonly text: string;
  readonly color: string;
}

/** Discrete states over time (breakers, API status); value mappings name each state. */
export function stateTimelinePanel(
  spec: Omit<PanelSpec, "unit" | "thresholds"> & { readonly states: readonly StateSpec[] },
): statetimeline.PanelBuilder {
  return new statetimeline.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(PROMETHEUS)
    .targets([...spec.queries])
    .links([...spec.links])
    .mappings(valueMappings(spec.states))
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds))
    .thresholds(
      new dashboard.ThresholdsConfigBuilder()
        .mode(dashboard.ThresholdsMode.Absolute)
        .steps(spec.states.map((s, i) => ({ value: i === 0 ? null : s.value, color: s.color }))),
    )
    .span(spec.width ?? 12)
    .height(8);
}
