import { ArtifactPath } from "../../lib/conventions";
import { GENERATED_HEADER, toYaml } from "../../lib/serialize";
import type { StackConfig } from "../config/schema";
import { buildInhibitRules, type InhibitRule } from "./inhibit";
import { type AlertmanagerPaths, PROD_PATHS, TEMPLATES_ARTIFACT_DIR } from "./paths";
import { buildReceivers, type ReceiverConfig } from "./receivers";
import { buildRoute, type Route } from "./routes";
import { renderAlertmanagerTemplates } from "./templates";
import { buildTimeIntervals, type TimeInterval } from "./time-intervals";

/** Pure: typed config → alertmanager.yml (no Pulumi, no I/O). */

export interface AlertmanagerRenderOptions extends AlertmanagerPaths {
  /** Divides group_wait, group_interval and repeat_interval (local stack); 1 in prod. */
  readonly timeScale: number;
  /** Alertmanager < 0.26 only (no `url_file`); see receivers.ts. */
  readonly heartbeatUrlInline?: string;
}

export interface AlertmanagerConfig {
  global: { resolve_timeout: string };
  route: Route;
  receivers: ReceiverConfig[];
  inhibit_rules: InhibitRule[];
  /** Present only when maintenance windows are configured. */
  time_intervals?: TimeInterval[];
  templates: string[];
}

export function renderAlertmanagerConfig(
  config: StackConfig,
  options: AlertmanagerRenderOptions,
): AlertmanagerConfig {
  return {
    global: { resolve_timeout: "5m" },
    route: buildRoute(config, options.timeScale),
    receivers: buildReceivers(config, options.secretsDir, options),
    inhibit_rules: buildInhibitRules(),
    ...timeIntervals(config),
    templates: [`${options.templatesDir.replace(/\/$/, "")}/*.tmpl`],
  };
}

function timeIntervals(config: StackConfig): { time_intervals?: TimeInterval[] } {
  const intervals = buildTimeIntervals(config.maintenance);
  return intervals.length > 0 ? { time_intervals: intervals } : {};
}

export function renderAlertmanagerFile(
  config: StackConfig,
  options: AlertmanagerRenderOptions,
): string {
  return toYaml(renderAlertmanagerConfig(config, options), GENERATED_HEADER);
}

/**
 * The synth renderer: alertmanager.yml exactly as prod runs it (secrets and templates at the
 * operator's mount paths), with the templates beside it for review.
 */
export function alertmanagerArtifacts(
  config: StackConfig,
  options: { readonly timeScale: number },
): Record<string, string> {
  const templates = Object.entries(renderAlertmanagerTemplates()).map(
    ([name, content]) => [`${TEMPLATES_ARTIFACT_DIR}/${name}`, content] as const,
  );
  return {
    [ArtifactPath.alertmanager]: renderAlertmanagerFile(config, {
      ...PROD_PATHS,
      timeScale: options.timeScale,
    }),
    ...Object.fromEntries(templates),
  };
}
