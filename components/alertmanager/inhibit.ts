import { Label } from "../../lib/conventions";

/** Inhibition: the page that explains a problem silences the noise it causes. */

export interface InhibitRule {
  source_matchers: string[];
  target_matchers: string[];
  equal: string[];
}

export const PORT8000_DOWN_ALERT = "Port8000Down";

/**
 * What Port 8000 being down makes fire on its own: requests fail or time out, tasks pile up,
 * bots wait for dispatch, clients drop, the error budget burns and its scrape fails. Bot
 * resource and host alerts stay audible: they may be the cause, not the symptom.
 */
export const PORT8000_DOWN_SYMPTOMS = [
  "Port8000HighErrorRate",
  "Port8000HighLatency",
  "Port8000BotDispatchSlow",
  "Port8000QueueBacklog",
  "Port8000DependencyLatencyHigh",
  "Port8000DbPoolSaturated",
  "Port8000ConnectionDrops",
  "Port8000ErrorBudgetBurn",
  "Port8000DeployRegression",
  "Port8000MetricsAbsent",
  "Port8000WebSocketWorkersStuck",
  "PrometheusScrapeErrors",
] as const;

export function buildInhibitRules(): InhibitRule[] {
  return [
    {
      source_matchers: [`${Label.severity}="critical"`],
      target_matchers: [`${Label.severity}=~"warning|info"`],
      equal: [Label.alertname, Label.service],
    },
    {
      source_matchers: [`${Label.severity}="warning"`],
      target_matchers: [`${Label.severity}="info"`],
      equal: [Label.alertname, Label.service],
    },
    {
      source_matchers: [
        `${Label.alertname}="${PORT8000_DOWN_ALERT}"`,
        `${Label.severity}="critical"`,
      ],
      target_matchers: [`${Label.alertname}=~"${PORT8000_DOWN_SYMPTOMS.join("|")}"`],
      equal: [Label.service],
    },
  ];
}
