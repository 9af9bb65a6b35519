import { join } from "node:path";
import { renderAlertmanagerTemplates, TemplateName } from "../../components/alertmanager/templates";
import { amtool, writeFiles } from "./support";

const LINKS = {
  runbook_url: "https://runbooks.example/disk.md#hostdiskspacelow",
  dashboard_url: "https://grafana.example/d/port8000-resource-utilization",
  logs_url: "https://logs.example/app/discover#/?q=disk",
  release: "port8000@v2.4.1",
};

function notification(status: "firing" | "resolved", severity: string) {
  const alert = {
    status,
    labels: { alertname: "HostDiskSpaceLow", severity, service: "port8000", instance: "node-a" },
    annotations: {
      summary: "Disk nearly full on node-a",
      description: "9% free on /var/log",
      ...LINKS,
    },
    startsAt: "2025-10-25T04:00:00Z",
    endsAt: status === "firing" ? "0001-01-01T00:00:00Z" : "2025-10-25T05:00:00Z",
    generatorURL: "http://prometheus.example/graph",
    fingerprint: "f00d",
  };
  return {
    receiver: "x",
    status,
    alerts: [alert],
    groupLabels: { alertname: "HostDiskSpaceLow" },
    commonLabels: alert.labels,
    commonAnnotations: alert.annotations,
    externalURL: "http://alertmanager.example",
  };
}

const dir = writeFiles(
  Object.fromEntries(Object.entries(renderAlertmanagerTemplates()).map(([n, c]) => [`t/${n}`, c])),
);

function render(name: string, data: object, type: "text" | "html" = "text"): string {
  const dataFile = join(writeFiles({ "data.json": JSON.stringify(data) }), "data.json");
  const { ok, output } = amtool([
    "template",
    "render",
    `--template.glob=${join(dir, "t", "*.tmpl")}`,
    `--template.text={{ template "${name}" . }}`,
    `--template.data=${dataFile}`,
    `--template.type=${type}`,
  ]);
  if (!ok) throw new Error(`amtool template render ${name}: ${output}`);
  return output;
}

describe("notification templates (rendered by amtool)", () => {
  const firing = notification("firing", "critical");

  it.each([
    ["Slack message", TemplateName.slackText, "text"],
    ["PagerDuty details", TemplateName.pagerdutyFiring, "text"],
    ["SMS", TemplateName.smsMessage, "text"],
    ["e-mail digest (text)", TemplateName.emailText, "text"],
    ["e-mail digest (html)", TemplateName.emailHtml, "html"],
  ] as const)(
    "the %s shows the runbook, dashboard and log links and the release",
    (_, name, type) => {
      const out = render(name, firing, type);
      for (const link of [LINKS.runbook_url, LINKS.dashboard_url, LINKS.logs_url, LINKS.release]) {
        expect(out).toContain(type === "html" ? link.replace(/&/g, "&amp;") : link);
      }
    },
  );

  it("the PagerDuty summary names the alert, its summary and the release", () => {
    expect(render(TemplateName.pagerdutyDescription, firing)).toBe(
      "HostDiskSpaceLow: Disk nearly full on node-a [port8000@v2.4.1]",
    );
  });

  describe("the PagerDuty summary of a group of several alerts", () => {
    const group = (...statuses: ("firing" | "resolved")[]) => {
      const data = notification(statuses.includes("firing") ? "firing" : "resolved", "critical");
      const [template] = data.alerts;
      data.alerts = statuses.map((status, i) => ({
        ...template,
        status,
        fingerprint: `f${i}`,
        endsAt: status === "firing" ? "0001-01-01T00:00:00Z" : "2025-10-25T05:00:00Z",
        annotations: { ...template.annotations, summary: `${status} ${i}` },
      }));
      return data;
    };
    const summary = (...statuses: ("firing" | "resolved")[]) =>
      render(TemplateName.pagerdutyDescription, group(...statuses));

    it.each([
      [["firing", "firing", "firing"], "HostDiskSpaceLow: firing 0 (+2 more) [port8000@v2.4.1]"],
      [["firing", "firing"], "HostDiskSpaceLow: firing 0 (+1 more) [port8000@v2.4.1]"],
      // A resolved alert first: the summary is the firing one's, and only firing ones count.
      [["resolved", "firing"], "HostDiskSpaceLow: firing 1 [port8000@v2.4.1]"],
      [
        ["resolved", "firing", "resolved", "firing"],
        "HostDiskSpaceLow: firing 1 (+1 more) [port8000@v2.4.1]",
      ],
      // All resolved: the first alert, no count.
      [["resolved", "resolved"], "HostDiskSpaceLow: resolved 0 [port8000@v2.4.1]"],
    ] as const)("%j → %s", (statuses, expected) => {
      expect(summary(...statuses)).toBe(expected);
    });

    it.each([
      [["resolved", "firing", "firing"], "x2: firing 1."],
      [["resolved", "firing"], "HostDiskSpaceLow: firing 1."],
    ] as const)("the SMS of %j counts and names the firing alerts (%s)", (statuses, expected) => {
      expect(render(TemplateName.smsMessage, group(...statuses))).toContain(expected);
    });
  });

  it.each([
    ["critical", "critical"],
    ["warning", "warning"],
    ["info", "info"],
    ["bogus", "error"],
  ])("maps severity %s to PagerDuty severity %s", (severity, expected) => {
    expect(render(TemplateName.pagerdutySeverity, notification("firing", severity))).toBe(expected);
  });

  it("the Slack title says firing or resolved with the count", () => {
    expect(render(TemplateName.slackTitle, firing)).toBe(
      "[FIRING:1] HostDiskSpaceLow (critical, port8000)",
    );
    expect(render(TemplateName.slackTitle, notification("resolved", "critical"))).toContain(
      "[RESOLVED]",
    );
  });

  it("the SMS stays short", () => {
    expect(render(TemplateName.smsMessage, firing).length).toBeLessThan(320);
  });

  it("says so when an alert carries no release", () => {
    const data = notification("firing", "warning");
    data.alerts[0].annotations = { ...data.alerts[0].annotations, release: "" };
    expect(render(TemplateName.slackText, data)).toContain("unknown release");
  });
});
