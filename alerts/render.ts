import type { StackConfig } from "../components/config/schema";
import { Annotation, ArtifactPath, Label, SERVICE_LABEL } from "../lib/conventions";
import { GENERATED_HEADER, toYaml } from "../lib/serialize";
import { botAlerts } from "./catalogue/bots";
import { dependencyAlerts } from "./catalogue/dependencies";
import { hostAlerts } from "./catalogue/host";
import { httpAlerts } from "./catalogue/http";
import { longTermMetricsAlerts } from "./catalogue/long-term-metrics";
import { pipelineAlerts } from "./catalogue/pipeline";
import { platformAlerts } from "./catalogue/platform";
import { publicEndpointAlerts } from "./catalogue/public";
import { serviceAlerts } from "./catalogue/service";
import { sloAlerts } from "./catalogue/slo";
import { dashboardUrl, logsUrl, runbookUrl } from "./links";
import {
  type AlertDefinition,
  type AlertLevel,
  type RuleContext,
  type RuleGroupSource,
  ruleContext,
} from "./model";
import { botRecords, hostRecords, httpRecords } from "./recording";

/** Pure renderer: typed config → Prometheus rule groups (recording + alerting). */

export interface RenderOptions {
  readonly timeScale: number;
}

// Type aliases, not interfaces: they stay assignable to Record<string, unknown> (CR specs).
export type AlertingRule = {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
};
export type RecordingRuleOut = {
  readonly record: string;
  readonly expr: string;
};
export type Rule = AlertingRule | RecordingRuleOut;
export interface RuleGroup {
  readonly name: string;
  readonly rules: Rule[];
}
export interface RuleGroups {
  readonly groups: RuleGroup[];
}

/** Recording rules sit in the group of the alerts that read them, so they evaluate first. */
function groupSources(ctx: RuleContext): RuleGroupSource[] {
  return [
    {
      name: "port8000.http",
      records: httpRecords(ctx),
      alerts: [...httpAlerts(ctx), ...sloAlerts(ctx)],
    },
    { name: "port8000.bots", records: botRecords(ctx), alerts: botAlerts(ctx) },
    {
      name: "port8000.service",
      records: [],
      alerts: [...serviceAlerts(ctx), ...publicEndpointAlerts(ctx), ...dependencyAlerts(ctx)],
    },
    { name: "port8000.host", records: hostRecords(ctx), alerts: hostAlerts(ctx) },
    { name: "port8000.platform", records: [], alerts: platformAlerts(ctx) },
    { name: "port8000.pipeline", records: [], alerts: pipelineAlerts(ctx) },
    { name: "port8000.long-term-metrics", records: [], alerts: longTermMetricsAlerts(ctx) },
  ];
}

/**
 * The running release, read at notification time from port8000_build_info, so that alert
 * labels (and thus grouping and inhibition) never change with a deploy.
 */
export const RELEASE_TEMPLATE =
  '{{ with query `max by (version, commit) (port8000_build_info{job="port8000"})` }}' +
  "{{ range $i, $r := . }}{{ if $i }}, {{ end }}version {{ $r.Labels.version }} (commit {{ $r.Labels.commit }}){{ end }}" +
  "{{ else }}release unknown{{ end }}" +
  '{{ with query `time() - max(port8000_deploy_timestamp_seconds{job="port8000"})` }}' +
  ", deployed {{ . | first | value | humanizeDuration }} ago{{ end }}";

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** The one cross-cutting pass: contract labels and annotations on every alert. */
function stamp(config: StackConfig, alert: AlertDefinition, level: AlertLevel): AlertingRule {
  const vars: Record<string, string> = {
    ...level.labels,
    ...level.vars,
    THRESHOLD: level.threshold,
  };
  const fill = (text: string) => text.replace(/%(\w+)%/g, (m, key: string) => vars[key] ?? m);
  return {
    alert: alert.name,
    expr: level.expr,
    ...(level.for === "0s" ? {} : { for: level.for }),
    labels: sorted({
      ...level.labels,
      [Label.severity]: level.severity,
      [Label.service]: SERVICE_LABEL,
    }),
    annotations: sorted({
      [Annotation.summary]: fill(alert.summary),
      [Annotation.description]: fill(alert.description),
      [Annotation.runbookUrl]: runbookUrl(config, alert),
      [Annotation.dashboardUrl]: dashboardUrl(config, alert),
      [Annotation.logsUrl]: logsUrl(config, alert),
      [Annotation.release]: RELEASE_TEMPLATE,
    }),
  };
}

export function renderRuleGroups(config: StackConfig, options: RenderOptions): RuleGroups {
  const ctx = ruleContext(config, options.timeScale);
  return {
    groups: groupSources(ctx).map((source) => ({
      name: source.name,
      rules: [
        ...source.records.map(({ record, expr }) => ({ record, expr })),
        ...source.alerts.flatMap((alert) => alert.levels.map((l) => stamp(config, alert, l))),
      ],
    })),
  };
}

export function renderRulesFile(config: StackConfig, options: RenderOptions): string {
  return toYaml(renderRuleGroups(config, options), GENERATED_HEADER);
}

export function ruleArtifacts(config: StackConfig, options: RenderOptions): Record<string, string> {
  return { [ArtifactPath.rules]: renderRulesFile(config, options) };
}

/** `spec` of a monitoring.coreos.com/v1 PrometheusRule carrying the same groups. */
export function prometheusRuleSpec(config: StackConfig, options: RenderOptions): RuleGroups {
  return renderRuleGroups(config, options);
}

export function isAlertingRule(rule: Rule): rule is AlertingRule {
  return "alert" in rule;
}

/** Every alert name the rules carry, each once, in rule-file order. */
export function alertNames(config: StackConfig): string[] {
  const rules = renderRuleGroups(config, { timeScale: 1 }).groups.flatMap((g) => g.rules);
  return [...new Set(rules.filter(isAlertingRule).map((r) => r.alert))];
}
