import { PORT8000_DOWN_ALERT, PORT8000_DOWN_SYMPTOMS } from "../../components/alertmanager/inhibit";
import { PROD_PATHS } from "../../components/alertmanager/paths";
import { renderAlertmanagerConfig } from "../../components/alertmanager/render";
import { stackConfig } from "./support";

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
  ])("%s", (_, source, target, expected) => {
    expect(inhibited(source, target)).toBe(expected);
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
