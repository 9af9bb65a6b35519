import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import {
  PORT8000_DOWN_ALERT,
  PORT8000_DOWN_SYMPTOMS,
  SAME_ALERT_LABELS,
} from "../../components/alertmanager/inhibit";
import { PROD_PATHS } from "../../components/alertmanager/paths";
import { renderAlertmanagerConfig } from "../../components/alertmanager/render";
import { ROOT, stackConfig } from "./support";

/** Matches one alert's labels against Alertmanager matcher strings (= and =~ only). */
function matches(labels: Record<string, string>, matchers: string[]): boolean {
  return matchers.every((m) => {
    const [, name, op, value] = /^(\w+)(=~|=)"(.*)"$/.exec(m) ?? [];
    if (!name) throw new Error(`unparsed matcher ${m}`);
    const actual = labels[name] ?? "";
    return op === "=" ? actual === value : new RegExp(`^(?:${value})$`).test(actual);
  });
}

const rules = renderAlertmanagerConfig(stackConfig("prod"), {
  ...PROD_PATHS,
  timeScale: 1,
}).inhibit_rules;

function inhibited(source: Record<string, string>, target: Record<string, string>): boolean {
  return rules.some(
    (r) =>
      matches(source, r.source_matchers) &&
      matches(target, r.target_matchers) &&
      r.equal.every((l) => source[l] === target[l]),
  );
}

const svc = { service: "port8000" };
const alert = (alertname: string, severity: string, extra = {}) => ({
  ...svc,
  alertname,
  severity,
  ...extra,
});

describe("inhibit rules", () => {
  it.each([
    [
      "a critical mutes its warning",
      alert("HostDiskSpaceLow", "critical"),
      alert("HostDiskSpaceLow", "warning"),
      true,
    ],
    [
      "a critical mutes its info",
      alert("Port8000QueueBacklog", "critical"),
      alert("Port8000QueueBacklog", "info"),
      true,
    ],
    [
      "a warning mutes its info",
      alert("Port8000QueueBacklog", "warning"),
      alert("Port8000QueueBacklog", "info"),
      true,
    ],
    [
      "a critical never mutes another alert's warning",
      alert("HostDiskSpaceLow", "critical"),
      alert("HostHighCpu", "warning"),
      false,
    ],
    [
      "a critical never mutes a critical",
      alert("HostDiskSpaceLow", "critical"),
      alert("HostDiskSpaceLow", "critical"),
      false,
    ],
    [
      "a warning never mutes a critical",
      alert("HostDiskSpaceLow", "warning"),
      alert("HostDiskSpaceLow", "critical"),
      false,
    ],
    [
      "a critical of another service mutes nothing here",
      alert("HostDiskSpaceLow", "critical", { service: "other" }),
      alert("HostDiskSpaceLow", "warning"),
      false,
    ],
    [
      "Port8000Down keeps bot alerts audible",
      alert(PORT8000_DOWN_ALERT, "critical"),
      alert("Port8000BotHighCpu", "critical"),
      false,
    ],
    [
      "Port8000Down keeps host alerts audible",
      alert(PORT8000_DOWN_ALERT, "critical"),
      alert("HostDiskSpaceLow", "critical"),
      false,
    ],
    [
      "Port8000Down keeps the Ollama latency audible (a cause)",
      alert(PORT8000_DOWN_ALERT, "critical"),
      alert("Port8000DependencyLatencyHigh", "warning"),
      false,
    ],
    [
      "Port8000Down keeps the DB pool audible (a lost database is a cause, guide 4.3)",
      alert(PORT8000_DOWN_ALERT, "critical"),
      alert("Port8000DbPoolSaturated", "warning"),
      false,
    ],
    [
      "a bot's critical never mutes another bot's warning",
      alert("Port8000BotHighMemory", "critical", { bot: "bot-1" }),
      alert("Port8000BotHighMemory", "warning", { bot: "bot-2" }),
      false,
    ],
    [
      "a bot's critical mutes the same bot's warning",
      alert("Port8000BotHighMemory", "critical", { bot: "bot-1" }),
      alert("Port8000BotHighMemory", "warning", { bot: "bot-1" }),
      true,
    ],
    [
      "a host's critical disk never mutes another host's warning (its log rotation)",
      alert("HostDiskSpaceLow", "critical", { job: "node", instance: "10.0.0.1:9100", node: "a" }),
      alert("HostDiskSpaceLow", "warning", { job: "node", instance: "10.0.0.2:9100", node: "b" }),
      false,
    ],
    [
      "a mount's critical never mutes another mount's warning on the same host",
      alert("HostDiskSpaceLow", "critical", { instance: "10.0.0.1:9100", mountpoint: "/" }),
      alert("HostDiskSpaceLow", "warning", { instance: "10.0.0.1:9100", mountpoint: "/data" }),
      false,
    ],
    [
      "one signal's critical never mutes another signal's warning",
      alert("Port8000ConnectionDrops", "critical", { signal: "tcp_connection_errors" }),
      alert("Port8000ConnectionDrops", "warning", { signal: "websocket_disconnects_per_second" }),
      false,
    ],
    [
      "the fast-burn critical mutes the slow-burn warning (windows are not compared)",
      alert("Port8000ErrorBudgetBurn", "critical", {
        job: "port8000",
        long_window: "1h",
        short_window: "5m",
      }),
      alert("Port8000ErrorBudgetBurn", "warning", {
        job: "port8000",
        long_window: "1d",
        short_window: "2h",
      }),
      true,
    ],
  ])("%s", (_, source, target, expected) => {
    expect(inhibited(source, target)).toBe(expected);
  });

  it("compares the series identity, never the burn-rate windows", () => {
    expect(SAME_ALERT_LABELS).toEqual([
      "alertname",
      "service",
      "job",
      "instance",
      "bot",
      "mountpoint",
      "signal",
      "node",
      "pod",
      "persistentvolumeclaim",
      "path",
    ]);
    for (const rule of rules.slice(0, 2)) expect(rule.equal).toEqual([...SAME_ALERT_LABELS]);
  });

  it.each([
    ["Port8000DbPoolSaturated", "warning", "app-1:8000", true],
    ["Port8000DbLatencyHigh", "critical", "app-1:8000", true],
    ["Port8000DbLatencyHigh", "warning", "app-2:8000", false],
    ["Port8000DependencyLatencyHigh", "warning", "app-1:8000", false],
  ])("a lost database on app-1 mutes %s (%s) on %s: %s", (name, severity, instance, expected) => {
    const source = alert("Port8000DatabaseUnreachable", "critical", {
      job: "port8000",
      instance: "app-1:8000",
    });
    expect(inhibited(source, alert(name, severity, { job: "port8000", instance }))).toBe(expected);
  });

  it("every symptom Port8000Down mutes is an alert of the rule file", () => {
    const file = yaml.load(readFileSync(join(ROOT, "alerts", "port8000-rules.yml"), "utf8")) as {
      groups: { rules: { alert?: string }[] }[];
    };
    const names = new Set(file.groups.flatMap((g) => g.rules.flatMap((r) => r.alert ?? [])));
    for (const symptom of PORT8000_DOWN_SYMPTOMS) expect(names).toContain(symptom);
  });

  it.each(
    PORT8000_DOWN_SYMPTOMS.flatMap((name) => [
      [name, "warning"],
      [name, "critical"],
    ]),
  )("Port8000Down mutes its symptom %s (%s)", (name, severity) => {
    expect(inhibited(alert(PORT8000_DOWN_ALERT, "critical"), alert(name, severity))).toBe(true);
  });
});
