import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dashboardQueries, queriesRuleFile, substitute } from "../../dashboards/queries";
import { runTool } from "../../lib/tools";
import { dashboards, plain } from "./support";

function promtoolCheck(text: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-promql-"));
  try {
    writeFileSync(join(dir, "queries.yml"), text);
    return runTool("promtool", ["check", "rules", join(dir, "queries.yml")]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("dashboard queries are valid PromQL (promtool)", () => {
  const queries = Object.values(dashboards()).flatMap((d) => dashboardQueries(plain(d)));

  it("finds every target and label_values variable of the four dashboards", () => {
    const targets = Object.values(dashboards()).flatMap((d) =>
      (d.panels ?? []).flatMap((p) =>
        (p as { type: string }).type === "logs"
          ? []
          : ((p as { targets?: unknown[] }).targets ?? []),
      ),
    );
    const variables = queries.filter((q) => q.where.includes(" variable "));
    expect(queries.length).toBe(targets.length + variables.length);
    expect(variables.length).toBeGreaterThanOrEqual(4);
  });

  it("passes promtool check rules with Grafana's variables substituted", () => {
    const { ok, output } = promtoolCheck(queriesRuleFile(queries));
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
    expect(ok).toBe(true);
  });

  it("would fail on a broken query (the check can fail)", () => {
    const broken = [...queries, { where: "broken", expr: "sum(rate(x[$__rate_interval])" }];
    const { ok, output } = promtoolCheck(
      queriesRuleFile(broken.map((q) => ({ ...q, expr: substitute(q.expr) }))),
    );
    expect(ok).toBe(false);
    expect(output).toMatch(/parse error|unclosed/i);
  });

  it("substitutes built-in intervals and multi-value variables", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: GitHub and Grafana placeholders, not JS templates.
    expect(substitute('rate(x{instance=~"$instance"}[$__rate_interval]) + y{a=~"${bot}"}')).toBe(
      'rate(x{instance=~".+"}[1m]) + y{a=~".+"}',
    );
  });
});
