import { join } from "node:path";
import { PROD_PATHS, secretFilePath } from "../../components/alertmanager/paths";
import {
  alertmanagerArtifacts,
  renderAlertmanagerConfig,
} from "../../components/alertmanager/render";
import { HEARTBEAT_MAX_REPEAT, type Route } from "../../components/alertmanager/routes";
import { supportsWebhookUrlFile } from "../../lib/alertmanager-version";
import { ArtifactPath, Receiver } from "../../lib/conventions";
import { parseDurationMs } from "../../lib/duration";
import { amtool, STACKS, stackConfig, writeFiles } from "./support";

/** The dead-man's switch (docs/architecture.md, Receivers): Watchdog → heartbeat, every ≤ 5m. */

const PAGING_KEYS = ["pagerduty_configs", "sns_configs", "email_configs", "slack_configs"];

function heartbeatRoute(route: Route): Route {
  const found = route.routes?.find((r) => r.receiver === Receiver.heartbeat);
  if (!found) throw new Error("no heartbeat route");
  return found;
}

describe.each(STACKS)("the heartbeat on the %s stack", (stack) => {
  const config = stackConfig(stack);
  const rendered = renderAlertmanagerConfig(config, { ...PROD_PATHS, timeScale: 1 });
  const receiver = rendered.receivers.find((r) => r.name === Receiver.heartbeat);

  it("is the first route, so no other branch catches the Watchdog", () => {
    expect(rendered.route.routes?.[0]).toBe(heartbeatRoute(rendered.route));
    expect(heartbeatRoute(rendered.route).matchers).toEqual(['alertname="Watchdog"']);
  });

  it(`repeats at most every ${HEARTBEAT_MAX_REPEAT}, so its silence is noticed`, () => {
    const { repeat_interval, group_interval } = heartbeatRoute(rendered.route);
    expect(parseDurationMs(repeat_interval as string)).toBeLessThanOrEqual(5 * 60_000);
    expect(parseDurationMs(group_interval as string)).toBeLessThanOrEqual(5 * 60_000);
  });

  it("is a webhook reading its URL from the receiver Secret, never resolved, never paging", () => {
    expect(receiver).toEqual({
      name: Receiver.heartbeat,
      webhook_configs: [
        {
          url_file: secretFilePath(PROD_PATHS.secretsDir, "heartbeatUrl"),
          send_resolved: false,
          max_alerts: 1,
        },
      ],
    });
    for (const key of PAGING_KEYS) expect(receiver).not.toHaveProperty(key);
  });
});

describe("the heartbeat on an Alertmanager without url_file (local fallback)", () => {
  it("inlines the given URL and nothing else changes", () => {
    const config = stackConfig("local");
    const options = { ...PROD_PATHS, timeScale: 1 };
    const inline = renderAlertmanagerConfig(config, {
      ...options,
      heartbeatUrlInline: "http://127.0.0.1:1/heartbeat",
    });
    const plain = renderAlertmanagerConfig(config, options);
    const hb = (c: typeof plain) => c.receivers.find((r) => r.name === Receiver.heartbeat);
    expect(hb(inline)?.webhook_configs).toEqual([
      { url: "http://127.0.0.1:1/heartbeat", send_resolved: false, max_alerts: 1 },
    ]);
    expect(inline.route).toEqual(plain.route);
  });
});

it("the local stack's time scale shortens the heartbeat's repeat like every interval", () => {
  const scaled = renderAlertmanagerConfig(stackConfig("local"), { ...PROD_PATHS, timeScale: 60 });
  expect(heartbeatRoute(scaled.route).repeat_interval).toBe("5s");
});

it("amtool accepts the prod config with the heartbeat's url_file", () => {
  const dir = writeFiles(alertmanagerArtifacts(stackConfig("prod"), { timeScale: 1 }));
  const { ok, output } = amtool(["check-config", join(dir, ArtifactPath.alertmanager)]);
  expect(output).toContain("receivers");
  expect(ok).toBe(true);
});

it.each([
  [[0, 25], false],
  [[0, 26], true],
  [[0, 34], true],
  [[1, 0], true],
] as const)("Alertmanager %j reads url_file: %s", (version, expected) => {
  expect(supportsWebhookUrlFile([version[0], version[1]])).toBe(expected);
});
