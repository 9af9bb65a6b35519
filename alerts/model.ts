import type { StackConfig } from "../components/config/schema";
import type { Thresholds } from "../components/config/thresholds";
import type { AlertName } from "../lib/alert-names";
import type { Severity } from "../lib/conventions";
import { scaleDuration } from "../lib/duration";

/** The alert catalogue as data: what each domain file declares and the renderer stamps. */

export type RunbookFile =
  | "error-rate"
  | "latency"
  | "deployment-rollback"
  | "bots"
  | "high-cpu"
  | "memory"
  | "disk-space"
  | "dependencies"
  | "websocket"
  | "availability"
  | "monitoring-pipeline";

export interface AlertLevel {
  readonly severity: Severity;
  readonly expr: string;
  /** Already scaled by the time scale; "0s" fires on the first true evaluation. */
  readonly for: string;
  /** Human-readable threshold of this level, used in the summary and description. */
  readonly threshold: string;
  /** Extra labels telling levels of one alert apart (e.g. burn-rate windows). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Extra `%name%` substitutions of this level's text that are not labels. */
  readonly vars?: Readonly<Record<string, string>>;
}

export interface AlertDefinition {
  readonly name: AlertName;
  readonly runbook: RunbookFile;
  /** A key of ALERT_DASHBOARDS (links.ts). */
  readonly dashboard:
    | "serviceOverview"
    | "botFleet"
    | "resources"
    | "dependencies"
    | "monitoringPipeline";
  /**
   * Go templates. `%THRESHOLD%` becomes the level's threshold, `%label%` the level's own
   * labels (rule labels are not in `$labels`, which only holds the expression's labels) and
   * `%var%` its vars. A range window named in the text is the scaled one the expression
   * evaluates (`ctx.range`), so the local stack's pages say what its rules really measure.
   */
  readonly summary: string;
  readonly description: string;
  /** OpenSearch Dashboards (KQL) query narrowing the logs to this alert's context. */
  readonly logQuery: string;
  readonly levels: readonly AlertLevel[];
}

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

export interface RuleGroupSource {
  readonly name: string;
  readonly records: readonly RecordingRule[];
  readonly alerts: readonly AlertDefinition[];
}

/** Range windows never shrink below this, so rate() still sees two scrapes of the local stack. */
export const SCALED_WINDOW_FLOOR_MS = 10_000;
/** Scaled `for:` durations stay at least one second (a zero would fire on a single blip). */
export const SCALED_FOR_FLOOR_MS = 1_000;

/** What every catalogue function gets: the typed config and the time-scaling helpers. */
export interface RuleContext {
  readonly config: StackConfig;
  readonly t: Thresholds;
  readonly timeScale: number;
  /** A range window (`[5m]`, `offset 1d`), divided by the time scale; also for the text. */
  range(duration: string): string;
  /** A `for:` duration, divided by the time scale; "0s" stays "0s". */
  hold(duration: string): string;
}

export function ruleContext(config: StackConfig, timeScale: number): RuleContext {
  if (!(timeScale >= 1)) throw new Error(`timeScale must be >= 1 (got ${timeScale})`);
  return {
    config,
    t: config.thresholds,
    timeScale,
    range: (d) => scaleDuration(d, timeScale, SCALED_WINDOW_FLOOR_MS),
    hold: (d) => (d === "0s" ? d : scaleDuration(d, timeScale, SCALED_FOR_FLOOR_MS)),
  };
}
