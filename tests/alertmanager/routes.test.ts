import { join } from "node:path";
import yaml from "js-yaml";
import { ruleArtifacts } from "../../alerts/render";
import { alertmanagerArtifacts } from "../../components/alertmanager/render";
import { ArtifactPath, Receiver } from "../../lib/conventions";
import { routedReceivers, STACKS, stackConfig, writeFiles } from "./support";

const R = Receiver;
const PAGE = [R.pagerdutyCritical, R.smsBackup];
const WARN = [R.slackWarning, R.emailDigest];

/** The routing contract of docs/architecture.md, row by row, plus the automation, info and Watchdog rows. */
const CONTRACT: [string, Record<string, string>, string[]][] = [
  [
    "a critical pages PagerDuty and the SMS backup",
    { severity: "critical", alertname: "Port8000QueueBacklog" },
    PAGE,
  ],
  [
    "a critical error rate pages PagerDuty and the SMS backup and posts to #deia-ops (guide 2.1)",
    { severity: "critical", alertname: "Port8000HighErrorRate" },
    [...PAGE, R.slackWarning],
  ],
  [
    "a connection-drops warning reaches only the warning receivers (evidence polls Alertmanager)",
    { severity: "warning", alertname: "Port8000ConnectionDrops" },
    WARN,
  ],
  [
    "a critical of any other alert pages the same way",
    { severity: "critical", alertname: "Port8000Down" },
    PAGE,
  ],
  [
    "a critical disk alert also pages the infra lead and freezes deploys",
    { severity: "critical", alertname: "HostDiskSpaceLow" },
    [...PAGE, R.pagerdutyInfraLead, R.automation],
  ],
  [
    "a warning goes to Slack and the e-mail digest",
    { severity: "warning", alertname: "Port8000HighLatency" },
    WARN,
  ],
  [
    "a disk warning also runs the log rotation",
    { severity: "warning", alertname: "HostDiskSpaceLow" },
    [...WARN, R.automation],
  ],
  [
    "a critical memory leak pages and starts the controlled restart (automation), not the infra lead",
    { severity: "critical", alertname: "Port8000MemoryLeak" },
    [...PAGE, R.automation],
  ],
  [
    "a database that cannot be reached pages",
    { severity: "critical", alertname: "Port8000DatabaseUnreachable" },
    PAGE,
  ],
  [
    "a monitoring-pipeline warning goes to Slack and the digest",
    { severity: "warning", alertname: "ThanosSidecarNoUpload" },
    WARN,
  ],
  [
    "a memory-leak warning also takes a heap snapshot",
    { severity: "warning", alertname: "Port8000MemoryLeak" },
    [...WARN, R.automation],
  ],
  [
    "an info is logged only",
    { severity: "info", alertname: "Port8000LogVolumeSpike" },
    [R.logOnly],
  ],
  [
    "the Watchdog pings the dead-man's switch only",
    { severity: "info", alertname: "Watchdog" },
    [R.heartbeat],
  ],
  [
    "the Watchdog pings the dead-man's switch only, whatever its severity",
    { severity: "critical", alertname: "Watchdog" },
    [R.heartbeat],
  ],
  [
    "an alert without severity is shown in Slack, never dropped",
    { alertname: "Unlabelled" },
    [R.slackWarning],
  ],
];

describe.each(STACKS)("routing on the %s stack (amtool config routes test)", (stack) => {
  const dir = writeFiles(alertmanagerArtifacts(stackConfig(stack), { timeScale: 1 }));
  const file = join(dir, ArtifactPath.alertmanager);

  // Every label set goes to amtool at once; each test reads its own answer.
  let routed: Map<string, Promise<Set<string>>>;
  beforeAll(() => {
    routed = new Map(
      CONTRACT.map(([name, labels]) => [
        name,
        routedReceivers(file, { service: "port8000", ...labels }),
      ]),
    );
  });

  it.each(CONTRACT)("%s", async (name, _, receivers) => {
    expect(await routed.get(name)).toEqual(new Set(receivers));
  });
});

interface RuleFile {
  groups: { rules: { alert?: string; labels?: Record<string, string> }[] }[];
}

/** Every alert the rule file really emits reaches the receivers the contract gives its labels. */
describe("routing of every rendered alert rule", () => {
  const config = stackConfig("prod");
  const dir = writeFiles(alertmanagerArtifacts(config, { timeScale: 1 }));
  const file = join(dir, ArtifactPath.alertmanager);
  const rules = yaml.load(ruleArtifacts(config, { timeScale: 1 })[ArtifactPath.rules]) as RuleFile;
  const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert);

  const expected = (alert: string, severity: string): string[] => {
    if (alert === "Watchdog") return [R.heartbeat];
    if (severity === "info") return [R.logOnly];
    if (severity === "critical" && alert === "Port8000HighErrorRate")
      return [...PAGE, R.slackWarning];
    if (severity === "critical" && alert === "HostDiskSpaceLow")
      return [...PAGE, R.pagerdutyInfraLead, R.automation];
    if (severity === "critical" && alert === "Port8000MemoryLeak") return [...PAGE, R.automation];
    if (severity === "critical") return PAGE;
    const automated = ["HostDiskSpaceLow", "Port8000MemoryLeak"].includes(alert);
    return automated ? [...WARN, R.automation] : WARN;
  };

  it("finds the alert rules", () => expect(alerts.length).toBeGreaterThan(20));

  const cases = alerts.map((a) => [a.alert as string, a.labels ?? {}] as const);
  let routed: Promise<Set<string>>[];
  beforeAll(() => {
    routed = cases.map(([alert, labels]) => routedReceivers(file, { alertname: alert, ...labels }));
  });

  it.each(cases.map((c, i) => [...c, i] as const))("%s %j", async (alert, labels, i) => {
    expect(await routed[i]).toEqual(new Set(expected(alert, labels.severity)));
  });
});
