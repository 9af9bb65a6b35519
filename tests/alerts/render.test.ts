import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import {
  alertNames,
  type RuleGroups,
  renderRuleGroups,
  renderRulesFile,
  ruleArtifacts,
} from "../../alerts";
import { THRESHOLD_DEFAULTS, THRESHOLD_NAMES } from "../../components/config/thresholds";
import { buildPrometheusConfig, LOCAL_NODE } from "../../components/prometheus/scrape";
import { ArtifactPath, Job, SEVERITIES } from "../../lib/conventions";
import { runTool } from "../../lib/tools";
import { renderArtifacts } from "../../scripts/artifacts";
import { ofType, runStack } from "../support/program";
import { CONTRACT_ALERTS, EXTRA_ALERTS } from "./contract";
import { alertingRules, committedRules, RULES_FILE, ruleOf, stackConfig } from "./support";

const prod = stackConfig("prod");
const rendered = renderRuleGroups(prod, { timeScale: 1 });

describe("the committed rule file", () => {
  it("is exactly what synth renders for the prod stack (regenerate with synth on drift)", () => {
    const synthRules = renderArtifacts(prod, { timeScale: 1 })[ArtifactPath.rules];
    expect(readFileSync(RULES_FILE, "utf8")).toBe(synthRules);
    expect(synthRules).toBe(renderRulesFile(prod, { timeScale: 1 }));
  });

  it("parses back into the groups the renderer returns", () => {
    expect(committedRules()).toEqual(JSON.parse(JSON.stringify(rendered)));
  });
});

describe("the alert contract", () => {
  const all = { ...CONTRACT_ALERTS, ...EXTRA_ALERTS };

  it.each(Object.entries(all))("%s carries the severities %j", (name, severities) => {
    const found = alertingRules(rendered)
      .filter((r) => r.alert === name)
      .map((r) => r.labels.severity);
    expect([...new Set(found)].sort()).toEqual([...severities].sort());
  });

  it("has no alert outside the contract and the listed extras", () => {
    expect(alertNames(prod).sort()).toEqual(Object.keys(all).sort());
  });

  it("stamps severity, service and every contract annotation on every alert", () => {
    for (const rule of alertingRules(rendered)) {
      expect(SEVERITIES).toContain(rule.labels.severity);
      expect(rule.labels.service).toBe("port8000");
      expect(Object.keys(rule.annotations).sort()).toEqual(
        ["dashboard_url", "description", "logs_url", "release", "runbook_url", "summary"].sort(),
      );
      expect(rule.annotations.runbook_url).toMatch(
        /^https:\/\/github\.com\/deia\/port8000-monitoring\/blob\/main\/docs\/runbooks\/[a-z-]+\.md#[a-z0-9-]+$/,
      );
      expect(rule.annotations.dashboard_url).toMatch(
        /^https:\/\/grafana\.deia\.example\.com\/d\/port8000-/,
      );
      expect(rule.annotations.logs_url).toContain("index:'port8000-*'");
      expect(rule.annotations.release).toContain("port8000_build_info");
      expect(`${rule.annotations.summary}${rule.annotations.description}`).not.toMatch(/%\w+%/);
    }
  });

  it("keeps the release out of the labels, so a deploy never regroups alerts", () => {
    for (const rule of alertingRules(rendered)) {
      expect(Object.keys(rule.labels)).not.toContain("release");
      expect(rule.expr).not.toContain("port8000_build_info");
    }
  });

  it("routes Watchdog and the log volume spike to log-only with severity info", () => {
    expect(ruleOf(rendered, "Watchdog", "info").expr).toBe("vector(1)");
    expect(ruleOf(rendered, "Port8000LogVolumeSpike", "info").labels.severity).toBe("info");
  });

  it("takes the guide's thresholds and durations from the prod config", () => {
    const critical = ruleOf(rendered, "Port8000HighErrorRate", "critical");
    expect(critical.expr).toBe('job:http_requests:error_ratio_rate5m{job="port8000"} > 0.05');
    expect(critical.for).toBe("2m");
    expect(ruleOf(rendered, "Port8000HighLatency", "warning").expr).toMatch(/p95_rate2m.* > 0\.5$/);
    expect(ruleOf(rendered, "HostDiskSpaceLow", "critical").expr).toMatch(/ < 0\.1$/);
    expect(ruleOf(rendered, "Port8000BotCrashLoop", "critical").expr).toMatch(
      /increase10m.* >= 4$/,
    );
    expect(ruleOf(rendered, "Port8000BotCrashLoop", "critical").for).toBeUndefined();
    expect(ruleOf(rendered, "Port8000DeployRegression", "critical").expr).toContain("< 900");
    expect(ruleOf(rendered, "Port8000WebSocketWorkersStuck", "warning").expr).toMatch(/ > 60$/);
  });
});

describe("joins and aggregation", () => {
  it("joins the leak's growth with the memory of the node the process runs on", () => {
    const leak = ruleOf(rendered, "Port8000MemoryLeak", "warning").expr;
    expect(leak).toContain("\nand on (node)\n");
    expect(leak).toContain('deriv(node_memory_MemAvailable_bytes{job="node"}[15m]) < 0');
    expect(leak).not.toMatch(/on \(\)|min\(/);
  });

  it("holds connection drop thresholds for the service, summed over its instances", () => {
    const drops = alertingRules(rendered).filter((r) => r.alert === "Port8000ConnectionDrops");
    expect(drops.map((r) => r.expr)).toEqual([
      'sum by (job) (rate(websocket_disconnect_total{job="port8000"}[1m])) > 20',
      'sum by (job) (increase(tcp_connection_errors_total{job="port8000"}[1m])) > 10',
    ]);
  });

  it("pages a deploy regression after 1m, and only with enough traffic", () => {
    const regression = ruleOf(rendered, "Port8000DeployRegression", "critical");
    expect(regression.for).toBe("1m");
    expect(regression.expr).toMatch(
      /and on \(job\)\n\(job:http_requests:rate5m\{job="port8000"\} > 0\.5\)$/,
    );
  });

  it("gives the local stack's port8000 and node targets the same node label the leak joins on", () => {
    const { scrape_configs } = buildPrometheusConfig(prod, { timeScale: 60 });
    for (const job of [Job.port8000, Job.node]) {
      const scrape = scrape_configs.find((c) => c.job_name === job);
      expect(scrape?.static_configs).toEqual([
        expect.objectContaining({ labels: { node: LOCAL_NODE } }),
      ]);
    }
  });
});

describe("config drives the rules", () => {
  it("moves the queue backlog warning to 30 when thresholds.queueDepth.warning is 30", () => {
    const config = stackConfig("prod", { thresholds: { queueDepth: { warning: 30 } } });
    const groups = renderRuleGroups(config, { timeScale: 1 });
    expect(ruleOf(groups, "Port8000QueueBacklog", "warning").expr).toBe(
      'task_queue_depth{job="port8000"} > 30',
    );
    expect(ruleOf(groups, "Port8000QueueBacklog", "critical").expr).toMatch(/> 40$/);
    expect(renderRulesFile(config, { timeScale: 1 })).not.toBe(readFileSync(RULES_FILE, "utf8"));
  });

  it("takes for: durations and windows from config", () => {
    const config = stackConfig("prod", {
      thresholds: { errorRate: { criticalFor: "4m", window: "10m" } },
    });
    const groups = renderRuleGroups(config, { timeScale: 1 });
    const rule = ruleOf(groups, "Port8000HighErrorRate", "critical");
    expect(rule.for).toBe("4m");
    expect(rule.expr).toContain("job:http_requests:error_ratio_rate10m");
    const records = groups.groups
      .flatMap((g) => g.rules)
      .map((r) => ("record" in r ? r.record : ""));
    expect(records).toContain("job:http_requests:error_ratio_rate10m");
  });

  it("derives every burn-rate threshold from slo.availability", () => {
    const config = stackConfig("prod", { slo: { availability: 0.999, window: "30d" } });
    const burns = alertingRules(renderRuleGroups(config, { timeScale: 1 })).filter(
      (r) => r.alert === "Port8000ErrorBudgetBurn",
    );
    expect(burns.map((r) => r.expr.match(/\(([\d.]+) \* ([\d.]+)\)/)?.slice(1))).toEqual([
      ["14.4", "0.001"],
      ["6", "0.001"],
      ["3", "0.001"],
      ["1", "0.001"],
    ]);
  });

  it("puts every configured threshold value into some expression (none is hard-coded)", () => {
    const shifted: Record<string, Record<string, number>> = {};
    const expected: string[] = [];
    for (const name of THRESHOLD_NAMES) {
      const defaults = THRESHOLD_DEFAULTS[name] as Record<string, unknown>;
      shifted[name] = {};
      for (const level of ["warning", "critical", "info"]) {
        if (typeof defaults[level] !== "number") continue;
        const value = Number(((defaults[level] as number) * 1.1).toFixed(6));
        shifted[name][level] = value;
        expected.push(`${name}.${level}=${value}`);
      }
    }
    const exprs = alertingRules(
      renderRuleGroups(stackConfig("prod", { thresholds: shifted }), { timeScale: 1 }),
    )
      .map((r) => r.expr)
      .join("\n");
    const missing = expected.filter((e) => !exprs.includes(` ${e.split("=")[1]}`));
    expect(missing).toEqual([]);
  });
});

describe("the time scale of the local stack", () => {
  const scaled = renderRuleGroups(prod, { timeScale: 60 });

  it("divides for: durations and range windows but keeps recording-rule names", () => {
    const warning = ruleOf(scaled, "Port8000HighErrorRate", "warning");
    expect(warning.for).toBe("5s");
    expect(warning.expr).toContain("job:http_requests:error_ratio_rate5m");
    expect(yaml.dump(scaled)).toContain("[1h12m]");
    expect(ruleOf(scaled, "Port8000DeployRegression", "critical").expr).toContain("< 15");
    expect(ruleOf(scaled, "Port8000LogVolumeSpike", "info").expr).toContain("offset 24m");
  });

  it("names in summaries and descriptions the scaled windows the rules evaluate", () => {
    const windows = (groups: RuleGroups) => {
      const text = yaml.dump(groups);
      return new Set(
        [...text.matchAll(/\[(\w+)\]|offset (\w+)/g)]
          .map((m) => m[1] ?? m[2])
          .concat(prod.slo.window),
      );
    };
    for (const [scale, groups] of [
      [1, rendered],
      [60, scaled],
    ] as const) {
      const known = windows(groups);
      for (const rule of alertingRules(groups)) {
        const text = `${rule.annotations.summary} ${rule.annotations.description}`;
        for (const [, d] of text.matchAll(/\b(?:in|over|same) ((?:\d+[smhd])+)\b/g)) {
          expect(`${rule.alert} at scale ${scale}: ${d}`).toBe(
            `${rule.alert} at scale ${scale}: ${known.has(d) ? d : "not a window of the rules"}`,
          );
        }
      }
    }
    const text = (alert: string, severity: string) => {
      const rule = ruleOf(scaled, alert, severity);
      return `${rule.annotations.summary} ${rule.annotations.description}`;
    };
    expect(text("Port8000HighErrorRate", "warning")).toContain("over 10s");
    expect(text("Port8000HighErrorRate", "warning")).toContain("in the last 15 seconds");
    expect(text("Port8000DeployRegression", "critical")).toContain("within 15 seconds");
    expect(text("Port8000MemoryLeak", "warning")).toContain("in 15s");
    expect(text("Port8000ErrorBudgetBurn", "critical")).toContain("(1m and 10s windows)");
    expect(text("Port8000LogVolumeSpike", "info")).toContain("one scaled day (24m) earlier");
    expect(ruleOf(scaled, "Port8000ErrorBudgetBurn", "critical").labels.long_window).toBe("1h");
  });

  it("never shrinks a range window below 10s (two scrapes of the local stack)", () => {
    const windows = [...yaml.dump(scaled).matchAll(/\[(\w+)\]/g)].map((m) => m[1]);
    expect(windows.length).toBeGreaterThan(10);
    expect(windows).toContain("10s");
    for (const w of windows) expect(w).toMatch(/^(\d+[hm])*(\d+s)?$/);
    expect(windows.filter((w) => /^\ds$/.test(w))).toEqual([]);
  });

  it("still passes promtool check rules", () => {
    const dir = mkdtempSync(join(tmpdir(), "rules-"));
    try {
      const file = join(dir, "rules.yml");
      writeFileSync(file, renderRulesFile(prod, { timeScale: 60 }));
      const result = runTool("promtool", ["check", "rules", file]);
      if (!result.ok) console.error(result.output);
      expect(result.ok).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects a time scale below 1", () => {
    expect(() => renderRuleGroups(prod, { timeScale: 0.5 })).toThrow(/timeScale/);
  });
});

describe("interfaces for other areas", () => {
  it("deploys as the prod stack's PrometheusRule exactly the groups of the committed rule file", async () => {
    const rules = ofType(
      await runStack("prod"),
      "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
    );
    expect(rules).toHaveLength(1);
    const committed = yaml.load(readFileSync(RULES_FILE, "utf8")) as { groups: unknown[] };
    expect(rules[0].inputs.spec).toEqual({ groups: committed.groups });
  });

  it("registers the rule file as a synth artifact", () => {
    expect(Object.keys(ruleArtifacts(prod, { timeScale: 1 }))).toEqual([ArtifactPath.rules]);
  });
});
