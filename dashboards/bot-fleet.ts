import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { BotQuery, RecordName } from "../alerts/recording";
import { AlertName } from "../lib/alert-names";
import { DashboardUid, Job } from "../lib/conventions";
import {
  botVariable,
  type DashboardContext,
  dashboardFrame,
  instantQuery,
  labelVariable,
  prometheusVariable,
  query,
  runbookLink,
  stateTimelinePanel,
  statPanel,
  thresholds,
  timeseriesPanel,
} from "./common";
import { statusRow } from "./status";

/** Guide 1.4 Bot Fleet Health: active bots, per-bot CPU and RAM, restarts, breakers, dispatch. */

const APP = `job="${Job.port8000}"`;
const BOT = `${APP}, instance=~"$instance", bot=~"$bot"`;
/**
 * Per-bot panels draw the top bots only: a fleet of thousands of bots would otherwise send
 * thousands of series to the browser. The table legend sorts them by their latest value.
 */
export const TOP_BOTS = 10;
const top = (expr: string) => `topk(${TOP_BOTS}, ${expr})`;

function fleetRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const t = ctx.config.thresholds;
  const links = [runbookLink(ctx, "bots", "bots and queue")];
  b.withRow(new dashboard.RowBuilder("Fleet"))
    .withPanel(
      timeseriesPanel({
        title: `Restarts per bot (top ${TOP_BOTS})`,
        description: `Restarts of the ${TOP_BOTS} most restarting bots within ${t.botRestarts.window} (what ${AlertName.Port8000BotCrashLoop} counts); the lines are its warning and critical counts.`,
        unit: "short",
        queries: [query(top(BotQuery.restarts(t.botRestarts.window, BOT)), "{{bot}}")],
        manySeries: true,
        thresholds: thresholds(t.botRestarts),
        links,
        width: 12,
        min: 0,
      }),
    )
    .withPanel(
      stateTimelinePanel({
        title: `Circuit breaker state (top ${TOP_BOTS})`,
        description: `State of the circuit breakers of the ${TOP_BOTS} bots whose breaker is most open (bot_circuit_breaker_state: 0 closed, 1 half-open, 2 open).`,
        queries: [query(top(`max by (bot) (bot_circuit_breaker_state{${BOT}})`), "{{bot}}")],
        states: [
          { value: 0, text: "closed", color: "green" },
          { value: 1, text: "half-open", color: "orange" },
          { value: 2, text: "open", color: "red" },
        ],
        links,
        width: 12,
      }),
    );
}

function status(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const links = [runbookLink(ctx, "bots", "bots and queue")];
  statusRow(ctx, b, DashboardUid.botFleet, "bots", [
    statPanel({
      title: "Active bots",
      description:
        "Bots registered and running (sum of bot_active, recording rule). Ignores the instance and bot variables: the recording rule counts the whole fleet.",
      unit: "short",
      queries: [instantQuery(`${RecordName.botsActive}{${APP}}`, "active bots")],
      links,
      width: 4,
    }),
    statPanel({
      title: "Breakers open",
      description: "Bots whose circuit breaker is open now (bot_circuit_breaker_state == 2).",
      unit: "short",
      queries: [instantQuery(`count(bot_circuit_breaker_state{${BOT}} == 2) or vector(0)`, "open")],
      thresholds: thresholds({ warning: 1 }),
      links,
      width: 4,
    }),
    statPanel({
      title: "Bots over CPU or memory",
      description: `Bots at or past the warning threshold of ${AlertName.Port8000BotHighCpu} or ${AlertName.Port8000BotHighMemory} now (their recording rules keep only those bots).`,
      unit: "short",
      queries: [
        instantQuery(
          `count(${RecordName.botCpu}{${BOT}} or ${RecordName.botMemory}{${BOT}}) or vector(0)`,
          "bots",
        ),
      ],
      thresholds: thresholds({ warning: 1 }),
      links,
      width: 4,
    }),
  ]);
}

function resourcesRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const t = ctx.config.thresholds;
  const links = [runbookLink(ctx, "high-cpu", "high CPU"), runbookLink(ctx, "memory", "memory")];
  b.withRow(new dashboard.RowBuilder("Per-bot CPU and memory"))
    .withPanel(
      timeseriesPanel({
        title: `CPU per bot (top ${TOP_BOTS})`,
        description: `CPU use of the ${TOP_BOTS} busiest bots in percent of a core (bot_cpu_percent); the lines are the ${AlertName.Port8000BotHighCpu} thresholds.`,
        unit: "percent",
        queries: [query(top(`bot_cpu_percent{${BOT}}`), "{{bot}}")],
        manySeries: true,
        thresholds: thresholds(t.botCpuPercent),
        links,
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: `Memory per bot against its limit (top ${TOP_BOTS})`,
        description: `Resident memory over the limit (bot_memory_mb / bot_memory_limit_mb) of the ${TOP_BOTS} bots closest to their limit; the lines are the ${AlertName.Port8000BotHighMemory} thresholds.`,
        unit: "percentunit",
        queries: [query(top(BotQuery.memoryRatio(BOT)), "{{bot}}")],
        manySeries: true,
        thresholds: thresholds(t.botMemoryRatio),
        links,
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: `Memory and limit per bot (top ${TOP_BOTS})`,
        description: `Resident memory (bot_memory_mb) and the limit (bot_memory_limit_mb) of the ${TOP_BOTS} bots using the most memory.`,
        unit: "decmbytes",
        queries: [
          query(top(`bot_memory_mb{${BOT}}`), "{{bot}} used", "A"),
          query(
            `bot_memory_limit_mb{${BOT}} and on (job, instance, bot) ${top(`bot_memory_mb{${BOT}}`)}`,
            "{{bot}} limit",
            "B",
          ),
        ],
        manySeries: true,
        links,
        min: 0,
      }),
    );
}

function dispatchRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const t = ctx.config.thresholds;
  const links = [runbookLink(ctx, "bots", "bots and queue")];
  b.withRow(new dashboard.RowBuilder("Dispatch")).withPanel(
    timeseriesPanel({
      title: "Dispatch latency",
      description: `Time to hand a task to a bot: the median over ${t.botDispatchMedianSeconds.window} (recording rule of ${AlertName.Port8000BotDispatchSlow}, whose threshold is the line; every instance) and the p95 of the chosen instances. Ignores the bot variable: dispatch latency is measured per task, not per bot.`,
      unit: "s",
      queries: [
        query(
          `${RecordName.dispatchMedian(t.botDispatchMedianSeconds.window)}{${APP}}`,
          "median",
          "A",
        ),
        query(
          `histogram_quantile(0.95, sum by (le) (rate(bot_dispatch_latency_seconds_bucket{${APP}, instance=~"$instance"}[$__rate_interval])))`,
          "p95",
          "B",
        ),
      ],
      thresholds: thresholds(t.botDispatchMedianSeconds),
      links,
      width: 24,
      min: 0,
    }),
  );
}

export function botFleet(ctx: DashboardContext): dashboard.Dashboard {
  const b = dashboardFrame(
    ctx,
    DashboardUid.botFleet,
    "Port 8000 / Bot Fleet Health",
    "The bots Port 8000 dispatches tasks to: how many run, their CPU and memory against limits, restarts, circuit breakers and dispatch latency (guide 1.4).",
    [prometheusVariable(), labelVariable("instance", Job.port8000), botVariable()],
  );
  status(ctx, b);
  fleetRow(ctx, b);
  resourcesRow(ctx, b);
  dispatchRow(ctx, b);
  return b.build();
}
