import yaml from "js-yaml";
import { alertmanagerArtifacts } from "../../components/alertmanager/render";
import { nextWindow } from "../../components/config/maintenance";
import { fromEngineConfig, parseStackConfig } from "../../components/config/parse";
import type { StackConfig } from "../../components/config/schema";
import { ArtifactPath, PROJECT } from "../../lib/conventions";
import { amtool, stackConfig, stackFile, writeFiles } from "./support";

/** Maintenance windows: typed config, Alertmanager time intervals, the checklist's reminder. */

function parse(stack: string, maintenance: unknown) {
  const file = stackFile(stack);
  const config = { ...file.config, [`${PROJECT}:maintenance`]: JSON.stringify(maintenance) };
  const { raw, secrets } = fromEngineConfig(config, file.secretKeys);
  return parseStackConfig(raw, secrets);
}

function problems(stack: string, maintenance: unknown): string[] {
  const result = parse(stack, maintenance);
  return result.ok ? [] : result.problems;
}

function configWith(stack: string, windows: unknown[]): StackConfig {
  const result = parse(stack, { windows });
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.config;
}

const patch = { name: "os-patch", weekdays: ["sunday"], start: "02:00", end: "04:00" };

describe("maintenance.windows config", () => {
  it("refuses a bad zone, bad times, unknown weekdays and duplicates with their key paths", () => {
    const found = problems("local", {
      windows: [
        { ...patch, timeZone: "Mars/Olympus_Mons" },
        { ...patch, name: "b", start: "25:00", end: "4:00", timeZone: "UTC" },
        { ...patch, name: "c", weekdays: ["sonday"], timeZone: "UTC" },
        { ...patch, name: "d", end: "02:00", timeZone: "UTC" },
      ],
    });
    const paths = found.map((p) => p.split(/[ :]/)[0]);
    expect(paths).toEqual(
      expect.arrayContaining([
        "maintenance.windows[0].timeZone",
        "maintenance.windows[1].start",
        "maintenance.windows[1].end",
        "maintenance.windows[2].weekdays[0]",
        "maintenance.windows[3].end",
      ]),
    );
    expect(found.find((p) => p.includes("Mars"))).toMatch(/IANA time zone/);
    const twice = [patch, patch].map((w) => ({ ...w, timeZone: "UTC" }));
    expect(problems("local", { windows: twice })).toEqual([
      expect.stringMatching(/^maintenance\.windows\[1\]\.name.*duplicate/),
    ]);
  });

  it("accepts any IANA zone locally, and only UTC on a deployed stack (no tz database in the image)", () => {
    expect(problems("local", { windows: [{ ...patch, timeZone: "America/Chicago" }] })).toEqual([]);
    expect(problems("prod", { windows: [{ ...patch, timeZone: "America/Chicago" }] })).toEqual([
      expect.stringMatching(/^maintenance\.windows\[0\]\.timeZone \("America\/Chicago"\): .*UTC$/),
    ]);
    expect(problems("prod", { windows: [{ ...patch, timeZone: "UTC" }] })).toEqual([]);
    // Go's time.LoadLocation answers only "" and "UTC" without a zone database.
    expect(problems("prod", { windows: [{ ...patch, timeZone: "Etc/UTC" }] })).toEqual([
      expect.stringMatching(/^maintenance\.windows\[0\]\.timeZone \("Etc\/UTC"\)/),
    ]);
  });
});

describe("nextWindow", () => {
  const chicago = configWith("local", [{ ...patch, timeZone: "America/Chicago" }]);

  it("names the next Sunday 02:00 Chicago time, in CST and in CDT", () => {
    // Wednesday 2026-01-07 (CST, UTC-6): the next window is Sunday 2026-01-11 08:00Z.
    const winter = nextWindow(chicago, new Date("2026-01-07T12:00:00Z"));
    expect(winter?.start.toISOString()).toBe("2026-01-11T08:00:00.000Z");
    expect(winter?.end.toISOString()).toBe("2026-01-11T10:00:00.000Z");
    expect(winter?.active).toBe(false);
    // July (CDT, UTC-5).
    const summer = nextWindow(chicago, new Date("2026-07-08T12:00:00Z"));
    expect(summer?.start.toISOString()).toBe("2026-07-12T07:00:00.000Z");
  });

  it("returns the window in progress, then the following week's once it ended", () => {
    const inside = nextWindow(chicago, new Date("2026-01-11T09:30:00Z"));
    expect(inside).toMatchObject({ name: "os-patch", active: true });
    expect(inside?.start.toISOString()).toBe("2026-01-11T08:00:00.000Z");
    const after = nextWindow(chicago, new Date("2026-01-11T10:00:00Z"));
    expect(after?.start.toISOString()).toBe("2026-01-18T08:00:00.000Z");
  });

  it("follows a window past midnight into the next day, and picks the earliest of several", () => {
    const config = configWith("local", [
      { name: "late", weekdays: ["saturday"], start: "23:00", end: "01:30", timeZone: "UTC" },
      { name: "weekday", weekdays: ["tuesday"], start: "03:00", end: "04:00", timeZone: "UTC" },
    ]);
    // Saturday 2026-01-10 23:30Z: inside "late", which ends Sunday 01:30Z.
    const now = nextWindow(config, new Date("2026-01-10T23:30:00Z"));
    expect(now).toMatchObject({ name: "late", active: true });
    expect(now?.end.toISOString()).toBe("2026-01-11T01:30:00.000Z");
    expect(nextWindow(config, new Date("2026-01-11T02:00:00Z"))?.name).toBe("weekday");
  });

  it("ends a window that stops at midnight on the next day, not before it started", () => {
    const config = configWith("local", [
      { name: "evening", weekdays: ["saturday"], start: "22:00", end: "00:00", timeZone: "UTC" },
    ]);
    const now = nextWindow(config, new Date("2026-01-10T23:00:00Z"));
    expect(now).toMatchObject({ name: "evening", active: true });
    expect(now?.start.toISOString()).toBe("2026-01-10T22:00:00.000Z");
    expect(now?.end.toISOString()).toBe("2026-01-11T00:00:00.000Z");
  });

  it("is undefined without windows", () => {
    expect(nextWindow(stackConfig("local"), new Date())).toBeUndefined();
  });
});

describe("time intervals in alertmanager.yml", () => {
  const config = configWith("prod", [
    {
      name: "late",
      weekdays: ["saturday", "friday"],
      start: "23:00",
      end: "01:00",
      timeZone: "UTC",
    },
  ]);
  const file = alertmanagerArtifacts(config, { timeScale: 1 })[ArtifactPath.alertmanager];
  const doc = yaml.load(file) as {
    time_intervals: unknown;
    route: {
      routes: {
        matchers?: string[];
        mute_time_intervals?: string[];
        routes?: { mute_time_intervals?: string[] }[];
      }[];
    };
  };

  it("splits a window past midnight into two day ranges, weekdays in calendar order", () => {
    expect(doc.time_intervals).toEqual([
      {
        name: "late",
        time_intervals: [
          {
            location: "UTC",
            times: [{ end_time: "24:00", start_time: "23:00" }],
            weekdays: ["friday", "saturday"],
          },
          {
            location: "UTC",
            times: [{ end_time: "01:00", start_time: "00:00" }],
            weekdays: ["sunday", "saturday"],
          },
        ],
      },
    ]);
  });

  it("mutes the warning and info routes and each of their children, never critical or the heartbeat", () => {
    const branch = (severity: string) =>
      doc.route.routes.find((r) => r.matchers?.includes(`severity="${severity}"`));
    expect(branch("warning")?.mute_time_intervals).toEqual(["late"]);
    expect(branch("warning")?.routes?.map((r) => r.mute_time_intervals)).toEqual([
      ["late"],
      ["late"],
      ["late"],
    ]);
    expect(branch("info")?.mute_time_intervals).toEqual(["late"]);
    expect(JSON.stringify(branch("critical"))).not.toContain("mute_time_intervals");
    expect(JSON.stringify(doc.route.routes[0])).not.toContain("mute_time_intervals");
  });

  it("passes amtool check-config, as the prod stack's own window does", () => {
    for (const cfg of [config, stackConfig("prod")]) {
      const files = alertmanagerArtifacts(cfg, { timeScale: 1 });
      const dir = writeFiles(files);
      const run = amtool(["check-config", `${dir}/${ArtifactPath.alertmanager}`]);
      if (!run.ok) console.error(run.output);
      expect(run.ok).toBe(true);
    }
    expect(
      alertmanagerArtifacts(stackConfig("prod"), { timeScale: 1 })[ArtifactPath.alertmanager],
    ).toContain("os-patch");
  });

  it("renders a window that ends at midnight as ending at 24:00, which amtool accepts", () => {
    const toMidnight = configWith("prod", [
      { name: "evening", weekdays: ["sunday"], start: "22:00", end: "00:00", timeZone: "UTC" },
    ]);
    const files = alertmanagerArtifacts(toMidnight, { timeScale: 1 });
    const run = amtool(["check-config", `${writeFiles(files)}/${ArtifactPath.alertmanager}`]);
    expect(run.output).not.toMatch(/start time cannot be equal or greater than end time/);
    expect(run.ok).toBe(true);
    const intervals = (yaml.load(files[ArtifactPath.alertmanager]) as { time_intervals: unknown })
      .time_intervals;
    expect(intervals).toEqual([
      {
        name: "evening",
        time_intervals: [
          {
            location: "UTC",
            times: [{ end_time: "24:00", start_time: "22:00" }],
            weekdays: ["sunday"],
          },
        ],
      },
    ]);
  });
});
