import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { BotQuery, RecordName } from "../alerts/recording";
import { DashboardUid, Job } from "../lib/conventions";
import {
  botVariable,
  type DashboardContext,
  dashboardFrame,
  labelVariable,
  prometheusVariable,
  query,
  runbookLink,
  stateTimelinePanel,
  statPanel,
  thresholds,
  timeseriesPanel,
} from "./common";

/** Guide 1.4 Bot Fleet Health: active bots, per-bot CPU and RAM, restarts, breakers, dispatch. */

const APP = `job="${Job.port8000}"`;
const BOT = `${APP}, instance=~"$instance", bot=~"$bot"`;

function fleetRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const t = ctx.config.thresholds;
  const links = [runbookLink(ctx, "bots", "bots and queue")];
  b.withRow(new dashboard.RowBuilder("Fleet"))
    .withPanel(
      statPanel({
        title: "Active bots",
        description: "Bots registered and running (sum of bot_active, recording rule).",
        unit: "short",
        queries: [query(`${RecordName.botsActive}{${APP}}`, "active bots")],
        links,
        width: 6,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Restarts per bot",
        description: `Restarts of each bot within ${t.botRestarts.window} (what Port8000BotCrashLoop counts); the lines are its warning and critical counts.`,
        unit: "short",
        queries: [query(BotQuery.restarts(t.botRestarts.window, BOT), "{{bot}}")],
        thresholds: thresholds(t.botRestarts),
        links,
        width: 9,
        min: 0,
      }),
    )
    .withPanel(
      stateTimelinePanel({
        title: "Circuit breaker state",
        description:
          "State of each bot's circuit breaker (bot_circuit_breaker_state: 0 closed, 1 half-open, 2 open).",
        queries: [query(`max by (bot) (bot_circuit_breaker_state{${BOT}})`, "{{bot}}")],
        states: [
          { value: 0, text: "closed", color: "green" },
          { value: 1, text: "half-open", color: "orange" },
          { value: 2, text: "open", color: "red" },
        ],
        links,
        width: 9,
      }),
    );
}

function resourcesRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const t = ctx.config.thresholds;
  const links = [runbookLink(ctx, "high-cpu", "high CPU"), runbookLink(ctx, "memory", "memory")];
  b.withRow(new dashboard.RowBuilder("Per-bot CPU and memory"))
    .withPanel(
      timeseriesPanel({
        title: "CPU per bot",
        description:
          "CPU use of each bot in percent of a core (bot_cpu_percent); the lines are the Port8000BotHighCpu thresholds.",
        unit: "percent",
        queries: [query(`bot_cpu_percent{${BOT}}`, "{{bot}}")],
        thresholds: thresholds(t.botCpuPercent),
        links,
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Memory per bot against its limit",
        description:
          "Resident memory of each bot over its limit (bot_memory_mb / bot_memory_limit_mb); the lines are the Port8000BotHighMemory thresholds.",
        unit: "percentunit",
        queries: [query(BotQuery.memoryRatio(BOT), "{{bot}}")],
        thresholds: thresholds(t.botMemoryRatio),
        links,
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Memory and limit per bot",
        description:
          "Resident memory (bot_memory_mb) and the limit (bot_memory_limit_mb) of each bot.",
        unit: "decmbytes",
        queries: [
          query(`bot_memory_mb{${BOT}}`, "{{bot}} used", "A"),
          query(`bot_memory_limit_mb{${BOT}}`, "{{bot}} limit", "B"),
        ],
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
      description: `Time to hand a task to a bot: the median over ${t.botDispatchMedianSeconds.window} (recording rule of Port8000BotDispatchSlow, whose threshold is the line) and the p95.`,
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
  fleetRow(ctx, b);
  resourcesRow(ctx, b);
  dispatchRow(ctx, b);
  return b.build();
}
