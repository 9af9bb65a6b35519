import { cronProblem } from "../../components/config/ops";
import { fromEngineConfig, parseStackConfig } from "../../components/config/parse";
import type { StackConfig } from "../../components/config/schema";
import { opsNetworkPolicy } from "../../components/ops-schedule/network";
import { cronJobSpec, opsArgs } from "../../components/ops-schedule/workload";
import { stackFile, withConfig } from "../support/program";

/** The checklists' CronJobs from typed config: every `ops` setting renders, or is refused. */

function parse(overrides: Record<string, unknown>) {
  const file = withConfig(stackFile("prod"), overrides);
  const { raw, secrets } = fromEngineConfig(file.config, file.secretKeys);
  return parseStackConfig(raw, secrets);
}

function config(overrides: Record<string, unknown> = {}): StackConfig {
  const result = parse(overrides);
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.config;
}

const service = JSON.parse(stackFile("prod").config["port8000-monitoring:service"]);
const IMAGE = "node@sha256:0";
const flagValue = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe("cron lines", () => {
  it.each([
    "0 7 * * *",
    "*/15 0-6 * * mon-fri",
    "0 11 1 1,4,7,10 *",
    "30 2 1-7 JAN-DEC 0",
    "0 0 * * 7",
  ])("accepts %s", (line) => {
    expect(cronProblem(line)).toBeUndefined();
  });

  it.each([
    ["0 7 * *", /five fields/],
    ["60 7 * * *", /minute: "60" is outside 0-59/],
    ["0 24 * * *", /hour/],
    ["0 0 0 * *", /day of month/],
    ["0 0 * 13 *", /month/],
    ["0 0 * * 8", /day of week/],
    ["0 9-5 * * *", /runs backwards/],
    ["*/0 * * * *", /bad step/],
    ["0 7 * * sunday", /day of week/],
  ])("refuses %s", (line, message) => {
    expect(cronProblem(line)).toMatch(message);
  });
});

describe("the ops section", () => {
  it.each([
    [
      { ops: { schedule: { daily: "0 25 * * *" } } },
      /^ops\.schedule\.daily \(.*\): not a cron schedule: hour/,
    ],
    [{ ops: { schedule: { hourly: "0 * * * *" } } }, /^ops\.schedule.*hourly/],
    [
      { ops: { loadTest: { duration: "30s" } } },
      /^ops\.loadTest\.duration \(.*\): must be at least 60s/,
    ],
    [
      { ops: { loadTest: { duration: "5h" } } },
      /^ops\.loadTest\.duration \(.*\): must be at most 4h/,
    ],
    [
      { ops: { loadTest: { duration: "half an hour" } } },
      /^ops\.loadTest\.duration \(.*\): expected a Prometheus duration/,
    ],
    [{ ops: { loadTest: { connections: 0 } } }, /^ops\.loadTest\.connections/],
    [{ ops: { loadTest: { rate: 2.5 } } }, /^ops\.loadTest\.rate/],
    [{ ops: { loadTest: { path: "health" } } }, /^ops\.loadTest\.path \(.*\): expected a path/],
    [
      { service: { ...service, registryPath: "registry" } },
      /^service\.registryPath \(.*\): expected a path/,
    ],
  ])("refuses %j with its key path", (overrides, message) => {
    const result = parse(overrides);
    expect(result.ok ? [] : result.problems).toEqual([expect.stringMatching(message)]);
  });

  it("each schedule moves its own CronJob only", () => {
    const moved = config({ ops: { schedule: { weekly: "30 6 * * 2" } } });
    expect(cronJobSpec(moved, "weekly", IMAGE).schedule).toBe("30 6 * * 2");
    expect(cronJobSpec(moved, "daily", IMAGE).schedule).toBe(
      cronJobSpec(config(), "daily", IMAGE).schedule,
    );
    const quarterly = config({ ops: { schedule: { quarterly: "0 6 2 2,5,8,11 *" } } });
    expect(cronJobSpec(quarterly, "quarterly", IMAGE).schedule).toBe("0 6 2 2,5,8,11 *");
  });

  it("the load test's settings reach the monthly arguments and its deadline", () => {
    const base = config();
    const tuned = config({
      ops: { loadTest: { duration: "1h", connections: 25, rate: 200, path: "/api/ping" } },
    });
    const args = opsArgs(tuned, "monthly");
    expect([
      flagValue(args, "--duration"),
      flagValue(args, "--connections"),
      flagValue(args, "--rate"),
      flagValue(args, "--target"),
    ]).toEqual(["3600s", "25", "200", "http://port8000.port8000.svc.cluster.local:8000/api/ping"]);
    const deadline = (c: StackConfig) =>
      cronJobSpec(c, "monthly", IMAGE).jobTemplate.spec.activeDeadlineSeconds;
    // Half an hour more load test, half an hour more deadline.
    expect(deadline(tuned) - deadline(base)).toBe(3600 - 1800);
    expect(cronJobSpec(tuned, "weekly", IMAGE).jobTemplate.spec.activeDeadlineSeconds).toBe(
      cronJobSpec(base, "weekly", IMAGE).jobTemplate.spec.activeDeadlineSeconds,
    );
  });

  it("the registry endpoint and the load test follow Port 8000's Service", () => {
    const moved = config({
      service: {
        ...service,
        name: "chatbot",
        namespace: "apps",
        port: 9000,
        registryPath: "/bots",
      },
    });
    expect(flagValue(opsArgs(moved, "daily"), "--registry")).toBe(
      "http://chatbot.apps.svc.cluster.local:9000/bots",
    );
    expect(flagValue(opsArgs(moved, "monthly"), "--target")).toBe(
      "http://chatbot.apps.svc.cluster.local:9000/health",
    );
    const egress = opsNetworkPolicy(moved, "monthly").spec.egress.at(-1);
    expect(egress).toEqual({
      to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "apps" } } }],
      ports: [{ protocol: "TCP", port: 9000 }],
    });
  });
});
