import { AlertName } from "../../lib/alert-names";
import { Job } from "../../lib/conventions";
import { LogField } from "../../lib/log-fields";
import { percent, seconds, selector } from "../format";
import { levelsOf } from "../levels";
import { APP_LOGS } from "../log-queries";
import type { AlertDefinition, RuleContext } from "../model";
import { RecordName } from "../recording";

/** The orchestrator's queue and the bot fleet (guide 1.1, 1.3, 4.1). */

const APP = selector(Job.port8000);
const BOT_LOGS = `${APP_LOGS} and ${LogField.bot}:"{{ $labels.bot }}"`;

function dispatchSlow(ctx: RuleContext): AlertDefinition {
  const median = `${RecordName.dispatchMedian(ctx.t.botDispatchMedianSeconds.window)}${APP}`;
  return {
    name: AlertName.Port8000BotDispatchSlow,
    runbook: "bots",
    dashboard: "botFleet",
    summary: "Handing a task to a bot takes {{ $value | humanizeDuration }} (median)",
    description:
      "The median of bot_dispatch_latency_seconds is {{ $value | humanizeDuration }} (threshold %THRESHOLD%): bots pick up work slowly. Check queue depth, crash loops and per-bot CPU.",
    logQuery: `${APP_LOGS} and ${LogField.event}:dispatch`,
    levels: levelsOf(ctx, ctx.t.botDispatchMedianSeconds, (v) => `${median} > ${v}`, seconds),
  };
}

function queueBacklog(ctx: RuleContext): AlertDefinition {
  return {
    name: AlertName.Port8000QueueBacklog,
    runbook: "bots",
    dashboard: "serviceOverview",
    summary: "{{ $value }} tasks wait in the Port 8000 queue",
    description:
      "task_queue_depth is {{ $value }} (threshold %THRESHOLD% tasks). Check the auto-scaler's capacity and whether bots are crash-looping or saturated.",
    logQuery: `${APP_LOGS} and ${LogField.event}:queue*`,
    levels: levelsOf(ctx, ctx.t.queueDepth, (v) => `task_queue_depth${APP} > ${v}`),
  };
}

function crashLoop(ctx: RuleContext): AlertDefinition {
  const { window } = ctx.t.botRestarts;
  const w = ctx.range(window);
  return {
    name: AlertName.Port8000BotCrashLoop,
    runbook: "bots",
    dashboard: "botFleet",
    summary: `Bot {{ $labels.bot }} restarted {{ $value | humanize }} times in ${w}`,
    description: `bot_health_monitor saw {{ $value | humanize }} restarts of bot {{ $labels.bot }} in ${w} (threshold %THRESHOLD%). The bot is crash-looping.`,
    logQuery: BOT_LOGS,
    levels: levelsOf(
      ctx,
      ctx.t.botRestarts,
      (v) => `${RecordName.botRestarts(window)}${APP} >= ${v}`,
    ),
  };
}

function botCpu(ctx: RuleContext): AlertDefinition {
  return {
    name: AlertName.Port8000BotHighCpu,
    runbook: "high-cpu",
    dashboard: "botFleet",
    summary: "Bot {{ $labels.bot }} uses {{ $value | humanize }}% CPU",
    description:
      "bot_cpu_percent of bot {{ $labels.bot }} is {{ $value | humanize }}% (threshold %THRESHOLD%%). Redistribute load with the bot auto-scaler or throttle expensive tasks.",
    logQuery: BOT_LOGS,
    levels: levelsOf(ctx, ctx.t.botCpuPercent, (v) => `${RecordName.botCpu}${APP} > ${v}`),
  };
}

function botMemory(ctx: RuleContext): AlertDefinition {
  return {
    name: AlertName.Port8000BotHighMemory,
    runbook: "memory",
    dashboard: "botFleet",
    summary: "Bot {{ $labels.bot }} uses {{ $value | humanizePercentage }} of its memory limit",
    description:
      "bot_memory_mb / bot_memory_limit_mb of bot {{ $labels.bot }} is {{ $value | humanizePercentage }} (threshold %THRESHOLD%). Restart it in a rolling fashion before the limit kills it.",
    logQuery: BOT_LOGS,
    levels: levelsOf(
      ctx,
      ctx.t.botMemoryRatio,
      (v) => `${RecordName.botMemory}${APP} > ${v}`,
      percent,
    ),
  };
}

export function botAlerts(ctx: RuleContext): AlertDefinition[] {
  return [queueBacklog(ctx), dispatchSlow(ctx), crashLoop(ctx), botCpu(ctx), botMemory(ctx)];
}
