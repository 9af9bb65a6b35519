import { readFileSync } from "node:fs";
import { buildDashboards } from "../../dashboards";
import { RULES_FILE, stackConfig } from "../alerts/support";
import { runStack } from "../support/program";
import { declaredObjects, scrapedJobs, selectedJobs } from "./support";

/**
 * A rule or panel that selects a job nothing scrapes is silent forever: no data is not an
 * alert. Every job the rule file and the dashboards name must come out of a monitor the
 * stack deploys (its own or its charts').
 */

jest.setTimeout(240_000);

describe("jobs the rules and dashboards select", () => {
  let scraped: Set<string>;
  beforeAll(async () => {
    const run = await runStack("prod");
    scraped = scrapedJobs(declaredObjects(run.resources));
  });

  it("resolves the chart's and the program's monitors to their job names", () => {
    // The chart's monitors, named by their Service's label (kubelet, kube-state-metrics) or by
    // our relabelings; the program's by its own.
    for (const job of ["kubelet", "kube-state-metrics", "node", "prometheus", "port8000-health"])
      expect(scraped).toContain(job);
  });

  it("are each scraped by a monitor of the prod stack (rules)", () => {
    const rules = selectedJobs(readFileSync(RULES_FILE, "utf8"));
    expect(rules.size).toBeGreaterThan(5);
    expect([...rules].filter((job) => !scraped.has(job)).sort()).toEqual([]);
  });

  it("are each scraped by a monitor of the prod stack (dashboards)", () => {
    const text = JSON.stringify(buildDashboards(stackConfig("prod")));
    const panels = selectedJobs(text.replaceAll('\\"', '"'));
    expect(panels.size).toBeGreaterThan(3);
    expect([...panels].filter((job) => !scraped.has(job)).sort()).toEqual([]);
  });
});
