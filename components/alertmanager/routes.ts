import { AlertName } from "../../lib/alert-names";
import { Label, Receiver } from "../../lib/conventions";
import { scaleDuration } from "../../lib/duration";
import type { StackConfig } from "../config/schema";
import { maintenanceMutes } from "./time-intervals";

/**
 * The routing tree of the routing contract (docs/architecture.md, Receivers). One branch per
 * severity; inside it, children with `continue: true` fan one alert out to every receiver of
 * its row.
 */

export interface Route {
  receiver: string;
  matchers?: string[];
  continue?: boolean;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  /** Alertmanager does not inherit these: every route of a muted branch names them. */
  mute_time_intervals?: string[];
  routes?: Route[];
}

/** Alerts whose warning triggers the automation service (log rotation; heap snapshot). */
export const WARNING_AUTOMATION_ALERTS = [
  AlertName.HostDiskSpaceLow,
  AlertName.Port8000MemoryLeak,
] as const;
/** Alerts whose critical also pages the infra lead. */
export const CRITICAL_INFRA_ALERTS = [AlertName.HostDiskSpaceLow] as const;
/** Criticals the automation service acts on: deploy freeze (disk), controlled restart (leak). */
export const CRITICAL_AUTOMATION_ALERTS = [
  AlertName.HostDiskSpaceLow,
  AlertName.Port8000MemoryLeak,
] as const;
/** Criticals also posted to #deia-ops beside the page (guide 2.1). */
export const CRITICAL_SLACK_ALERTS = [AlertName.Port8000HighErrorRate] as const;
/** Always-firing heartbeat of the rule set; it only ever pings the dead-man's switch. */
export const WATCHDOG_ALERT = AlertName.Watchdog;
/** The dead-man's switch pages when pings stop; a repeat this short keeps them coming. */
export const HEARTBEAT_MAX_REPEAT = "5m";

const GROUP_BY = [Label.alertname, Label.service, Label.severity];

interface Timing {
  readonly group_wait: string;
  readonly group_interval: string;
  readonly repeat_interval: string;
}

/** Intervals per branch; the local stack divides them all by its time scale. */
export function routeTimings(config: StackConfig) {
  const { criticalGroupWait, digestInterval } = config.alerting;
  return {
    root: { group_wait: "30s", group_interval: "5m", repeat_interval: "4h" },
    critical: { group_wait: criticalGroupWait, group_interval: "1m", repeat_interval: "1h" },
    warning: { group_wait: "30s", group_interval: "5m", repeat_interval: "4h" },
    digest: { group_wait: "1m", group_interval: digestInterval, repeat_interval: digestInterval },
    info: { group_wait: "5m", group_interval: "30m", repeat_interval: "24h" },
    heartbeat: { group_wait: "10s", group_interval: "1m", repeat_interval: HEARTBEAT_MAX_REPEAT },
  } satisfies Record<string, Timing>;
}

function scaled(timing: Timing, timeScale: number): Timing {
  return {
    group_wait: scaleDuration(timing.group_wait, timeScale),
    group_interval: scaleDuration(timing.group_interval, timeScale),
    repeat_interval: scaleDuration(timing.repeat_interval, timeScale),
  };
}

const severityIs = (severity: string) => `${Label.severity}="${severity}"`;
const alertnameIn = (names: readonly string[]) =>
  names.length === 1
    ? `${Label.alertname}="${names[0]}"`
    : `${Label.alertname}=~"${names.join("|")}"`;

function fanOut(receiver: string, extra: Partial<Route> = {}): Route {
  return { receiver, continue: true, ...extra };
}

function criticalBranch(timing: Timing): Route {
  return {
    receiver: Receiver.pagerdutyCritical,
    matchers: [severityIs("critical")],
    ...timing,
    routes: [
      fanOut(Receiver.pagerdutyCritical),
      fanOut(Receiver.smsBackup),
      fanOut(Receiver.slackWarning, { matchers: [alertnameIn(CRITICAL_SLACK_ALERTS)] }),
      fanOut(Receiver.pagerdutyInfraLead, { matchers: [alertnameIn(CRITICAL_INFRA_ALERTS)] }),
      fanOut(Receiver.automation, { matchers: [alertnameIn(CRITICAL_AUTOMATION_ALERTS)] }),
    ],
  };
}

/** Maintenance windows mute a route and each of its children (no inheritance). */
function muted(route: Route, mutes: readonly string[]): Route {
  if (mutes.length === 0) return route;
  return {
    ...route,
    mute_time_intervals: [...mutes],
    ...(route.routes ? { routes: route.routes.map((r) => muted(r, mutes)) } : {}),
  };
}

function warningBranch(timing: Timing, digest: Timing): Route {
  return {
    receiver: Receiver.slackWarning,
    matchers: [severityIs("warning")],
    ...timing,
    routes: [
      fanOut(Receiver.slackWarning),
      // One e-mail per service per digest interval, however many warnings fire.
      fanOut(Receiver.emailDigest, { group_by: [Label.service], ...digest }),
      fanOut(Receiver.automation, { matchers: [alertnameIn(WARNING_AUTOMATION_ALERTS)] }),
    ],
  };
}

/**
 * The root receiver catches alerts with no known severity: a broken rule is shown in Slack
 * rather than dropped.
 */
export function buildRoute(config: StackConfig, timeScale: number): Route {
  const t = routeTimings(config);
  const mutes = maintenanceMutes(config.maintenance);
  return {
    receiver: Receiver.slackWarning,
    group_by: GROUP_BY,
    ...scaled(t.root, timeScale),
    routes: [
      {
        receiver: Receiver.heartbeat,
        matchers: [alertnameIn([WATCHDOG_ALERT])],
        ...scaled(t.heartbeat, timeScale),
      },
      criticalBranch(scaled(t.critical, timeScale)),
      muted(warningBranch(scaled(t.warning, timeScale), scaled(t.digest, timeScale)), mutes),
      muted(
        {
          receiver: Receiver.logOnly,
          matchers: [severityIs("info")],
          ...scaled(t.info, timeScale),
        },
        mutes,
      ),
    ],
  };
}
