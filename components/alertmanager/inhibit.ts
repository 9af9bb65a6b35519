import { AlertName } from "../../lib/alert-names";
import { Label } from "../../lib/conventions";

/** Inhibition: the page that explains a problem silences the noise it causes. */

export interface InhibitRule {
  source_matchers: string[];
  target_matchers: string[];
  equal: string[];
}

export const PORT8000_DOWN_ALERT = AlertName.Port8000Down;

/**
 * What Port 8000 being down makes fire on its own: requests fail or time out, tasks pile up,
 * bots wait for dispatch, clients drop, the error budget burns and its scrape fails. Bot
 * resource, host and dependency alerts (Ollama latency, DB pool: a lost database is a typical
 * cause of a failing /health, guide 4.3) stay audible: they may be the cause, not the symptom.
 */
export const PORT8000_DOWN_SYMPTOMS = [
  AlertName.Port8000HighErrorRate,
  AlertName.Port8000HighLatency,
  AlertName.Port8000BotDispatchSlow,
  AlertName.Port8000QueueBacklog,
  AlertName.Port8000ConnectionDrops,
  AlertName.Port8000ErrorBudgetBurn,
  AlertName.Port8000DeployRegression,
  AlertName.Port8000MetricsAbsent,
  AlertName.Port8000WebSocketWorkersStuck,
  AlertName.PrometheusScrapeErrors,
] as const;

export const DATABASE_UNREACHABLE_ALERT = AlertName.Port8000DatabaseUnreachable;

/**
 * What a lost database makes fire on the same instance (guide 4.3): its pool fills with
 * hanging connections and its health query times out. The page already says why.
 */
export const DATABASE_UNREACHABLE_SYMPTOMS = [
  AlertName.Port8000DbPoolSaturated,
  AlertName.Port8000DbLatencyHigh,
] as const;

/**
 * What makes two alerts of one name "the same alert" for severity inhibition: the series
 * identity (scrape target, bot, mount point, signal of a multi-signal alert, node). A label
 * absent on both sides counts as equal in Alertmanager. The burn-rate windows (`long_window`,
 * `short_window`) are left out on purpose, so a fast-burn critical mutes the slow-burn warning.
 */
export const SAME_ALERT_LABELS = [
  Label.alertname,
  Label.service,
  "job",
  "instance",
  Label.bot,
  "mountpoint",
  "signal",
  "node",
  // The monitoring pipeline's alerts: one pod, volume or data path each, several of them
  // behind one scrape target (kubelet, the OpenSearch exporter).
  "pod",
  "persistentvolumeclaim",
  "path",
] as const;

export function buildInhibitRules(): InhibitRule[] {
  return [
    {
      source_matchers: [`${Label.severity}="critical"`],
      target_matchers: [`${Label.severity}=~"warning|info"`],
      equal: [...SAME_ALERT_LABELS],
    },
    {
      source_matchers: [`${Label.severity}="warning"`],
      target_matchers: [`${Label.severity}="info"`],
      equal: [...SAME_ALERT_LABELS],
    },
    {
      source_matchers: [
        `${Label.alertname}="${PORT8000_DOWN_ALERT}"`,
        `${Label.severity}="critical"`,
      ],
      target_matchers: [`${Label.alertname}=~"${PORT8000_DOWN_SYMPTOMS.join("|")}"`],
      equal: [Label.service],
    },
    {
      source_matchers: [`${Label.alertname}="${DATABASE_UNREACHABLE_ALERT}"`],
      target_matchers: [`${Label.alertname}=~"${DATABASE_UNREACHABLE_SYMPTOMS.join("|")}"`],
      equal: [Label.service, "job", "instance"],
    },
  ];
}
