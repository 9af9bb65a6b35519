import { APP_METRICS, LOG_PIPELINE_METRICS, type MetricType } from "../lib/metrics";
import { AnnotationTag, DatasourceType, DatasourceVar } from "./conventions";
import { bareMetrics, rateWindows, selectorsOf } from "./promql";

/**
 * The rules of Grafana's dashboard-linter (github.com/grafana/dashboard-linter, docs/rules/),
 * over the rendered JSON, plus this project's own (annotations, runbook links). Exclusions the
 * linter would take from a `.lint` file are written here, with their reason.
 */

export interface LintProblem {
  readonly rule: string;
  readonly where: string;
  readonly message: string;
}

interface Target {
  expr?: string;
  datasource?: { uid?: string; type?: string };
}
interface Panel {
  id?: number;
  type: string;
  title?: string;
  description?: string;
  datasource?: { uid?: string; type?: string };
  targets?: Target[];
  links?: { url?: string }[];
  fieldConfig?: { defaults?: { unit?: string; mappings?: unknown[] } };
}
interface Variable {
  name: string;
  type: string;
  query?: string | { query?: string };
  datasource?: { uid?: string };
}
export interface LintableDashboard {
  uid?: string;
  title?: string;
  panels?: Panel[];
  templating?: { list?: Variable[] };
  annotations?: { list?: { target?: { tags?: string[] } }[] };
}

const PROM_DS = `\${${DatasourceVar.prometheus}}`;
const LOGS_DS = `\${${DatasourceVar.logs}}`;
/** Units of Grafana's valueFormats/categories.ts this project uses or may use. */
export const KNOWN_UNITS = new Set([
  "none",
  "short",
  "percent",
  "percentunit",
  "s",
  "ms",
  "µs",
  "ns",
  "d",
  "dtdurations",
  "bytes",
  "decbytes",
  "mbytes",
  "decmbytes",
  "Bps",
  "bps",
  "reqps",
  "ops",
  "rps",
  "wps",
  "iops",
]);
/** Panel types the linter's unit and title rules look at. */
const NUMERIC_PANELS = new Set(["stat", "singlestat", "graph", "table", "timeseries", "gauge"]);
/** Scoping variables: `instance`, or the Kubernetes `node` where a dashboard spans two jobs. */
const SCOPE_VARIABLES = ["instance", "node"];
/**
 * Exclusion of target-instance-rule: recording rules of level `job:` or `bot:` have
 * aggregated the instance away, so they cannot be filtered by it.
 */
const AGGREGATED_LEVELS = ["job:", "bot:"];
/**
 * Exclusion of target-job-rule and target-instance-rule: `ALERTS` is Prometheus' own series of
 * its alerts; it has no scrape job and carries whatever labels each alert keeps.
 */
const SYNTHETIC_SERIES = ["ALERTS"];

function metricType(name: string): MetricType | undefined {
  const specs: Record<string, { type: MetricType }> = { ...APP_METRICS, ...LOG_PIPELINE_METRICS };
  if (specs[name]) return specs[name].type;
  if (/_(total|bucket|count|sum)$/.test(name)) return "counter";
  return undefined;
}

function variableQuery(v: Variable): string {
  return typeof v.query === "string" ? v.query : (v.query?.query ?? "");
}

function templateRules(d: LintableDashboard, where: string): LintProblem[] {
  const vars = d.templating?.list ?? [];
  const problems: LintProblem[] = [];
  const ds = vars.find((v) => v.name === DatasourceVar.prometheus);
  if (ds?.type !== "datasource" || variableQuery(ds) !== DatasourceType.prometheus)
    problems.push({
      rule: "template-datasource-rule",
      where,
      message: `needs a datasource variable "${DatasourceVar.prometheus}" of type prometheus`,
    });
  const scope = vars.find((v) => SCOPE_VARIABLES.includes(v.name));
  if (scope?.type !== "query" || scope.datasource?.uid !== PROM_DS)
    problems.push({
      rule: "template-instance-rule",
      where,
      message: `needs a query variable ${SCOPE_VARIABLES.join(" or ")} on ${PROM_DS}`,
    });
  for (const v of vars.filter((x) => x.type === "query")) {
    if (!/^label_values\(.+\)$/.test(variableQuery(v)))
      problems.push({
        rule: "template-label-promql-rule",
        where: `${where} variable ${v.name}`,
        message: "query must be label_values(<selector>, <label>)",
      });
  }
  return problems;
}

function scopeOf(d: LintableDashboard): string | undefined {
  return (d.templating?.list ?? []).find((v) => SCOPE_VARIABLES.includes(v.name))?.name;
}

function targetRules(expr: string, scope: string | undefined, where: string): LintProblem[] {
  const problems: LintProblem[] = [];
  const add = (rule: string, message: string) => problems.push({ rule, where, message });
  for (const { fn, window } of rateWindows(expr))
    if (window !== "$__rate_interval") add("target-rate-interval-rule", `${fn}() over [${window}]`);
  for (const metric of bareMetrics(expr)) add("target-job-rule", `${metric} has no matchers`);
  for (const s of selectorsOf(expr).filter((x) => !SYNTHETIC_SERIES.includes(x.metric))) {
    if (!s.matchers.job?.startsWith("=")) add("target-job-rule", `${s.metric} has no job matcher`);
    const aggregated = AGGREGATED_LEVELS.some((level) => s.metric.startsWith(level));
    if (!aggregated && scope && s.matchers[scope] !== `=~$${scope}`)
      add("target-instance-rule", `${s.metric} lacks ${scope}=~"$${scope}"`);
    if (metricType(s.metric) === "counter" && !["rate", "irate", "increase"].includes(s.fn ?? ""))
      add("target-counter-agg-rule", `counter ${s.metric} must be inside rate/irate/increase`);
  }
  return problems;
}

function panelRules(panel: Panel, scope: string | undefined, where: string): LintProblem[] {
  const problems: LintProblem[] = [];
  const add = (rule: string, message: string) => problems.push({ rule, where, message });
  if (!panel.title?.trim() || !panel.description?.trim())
    add("panel-title-description-rule", "needs a title and a description");
  const logsPanel = panel.type === "logs";
  const expected = logsPanel ? LOGS_DS : PROM_DS;
  const sources = [panel.datasource, ...(panel.targets ?? []).map((t) => t.datasource)];
  if (sources.some((ds) => ds?.uid !== expected))
    add("panel-datasource-rule", `panel and targets must use ${expected}`);
  const defaults = panel.fieldConfig?.defaults ?? {};
  const mapped = (defaults.mappings ?? []).length > 0;
  if (NUMERIC_PANELS.has(panel.type) && !mapped && !KNOWN_UNITS.has(defaults.unit ?? ""))
    add("panel-units-rule", `unit ${JSON.stringify(defaults.unit)} is not a Grafana unit`);
  if (!(panel.links ?? []).some((l) => l.url?.includes("/runbooks/")))
    add("panel-runbook-link-rule", "needs a link to its runbook");
  if ((panel.targets ?? []).length === 0) add("panel-targets-rule", "has no queries");
  const ignored = ignoredVariables(panel.description);
  const panelScope =
    scope && (ignored.includes(scope) || ignored.includes("*")) ? undefined : scope;
  if (!logsPanel)
    for (const t of panel.targets ?? [])
      problems.push(...targetRules(t.expr ?? "", panelScope, where));
  return problems;
}

/** The variables a panel's description says it ignores: "Ignores the instance and bot variables". */
export function ignoredVariables(description: string | undefined): string[] {
  if (/Ignores every variable\b/.test(description ?? "")) return ["*"];
  const said = /Ignores the ([\w ,]+?) variables?\b/.exec(description ?? "")?.[1] ?? "";
  return said.split(/,\s*|\s+and\s+/).filter(Boolean);
}

/**
 * Project rule: a panel honours every query variable (`$bot` in some query) or says in its
 * description that it ignores it, so that nobody reads a filtered-looking panel as filtered.
 */
function variableRules(d: LintableDashboard, panel: Panel, where: string): LintProblem[] {
  if (panel.type === "logs" || (panel.targets ?? []).length === 0) return [];
  const exprs = (panel.targets ?? []).map((t) => t.expr ?? "");
  const ignored = ignoredVariables(panel.description);
  return (d.templating?.list ?? [])
    .filter((v) => v.type === "query")
    .filter((v) => !exprs.some((e) => new RegExp(`\\$\\{?${v.name}\\b`).test(e)))
    .filter((v) => !ignored.includes(v.name) && !ignored.includes("*"))
    .map((v) => ({
      rule: "variable-honoured-rule",
      where,
      message: `ignores $${v.name} without saying so ("Ignores the ${v.name} variable")`,
    }));
}

function annotationRules(d: LintableDashboard, where: string): LintProblem[] {
  const tags = (d.annotations?.list ?? []).flatMap((a) => a.target?.tags ?? []);
  return Object.values(AnnotationTag)
    .filter((tag) => !tags.includes(tag))
    .map((tag) => ({ rule: "annotation-rule", where, message: `no "${tag}" annotation query` }));
}

export function lintDashboard(d: LintableDashboard): LintProblem[] {
  const where = d.uid ?? d.title ?? "dashboard";
  const scope = scopeOf(d);
  const panels = (d.panels ?? []).filter((p) => p.type !== "row");
  return [
    ...(d.title?.trim() ? [] : [{ rule: "dashboard-title-rule", where, message: "no title" }]),
    ...templateRules(d, where),
    ...annotationRules(d, where),
    ...panels.flatMap((p) => panelRules(p, scope, `${where} panel "${p.title ?? p.id}"`)),
    ...panels.flatMap((p) => variableRules(d, p, `${where} panel "${p.title ?? p.id}"`)),
  ];
}
