import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type LintableDashboard, lintDashboard } from "../dashboards/lint";
import { dashboardQueries, queriesRuleFile } from "../dashboards/queries";
import { ArtifactPath } from "../lib/conventions";
import type { ToolName } from "../lib/tools";
import type { Validation, Validator } from "./validators";

type RunTool = (tool: ToolName, args: string[], cwd?: string) => { ok: boolean; output: string };

/** One rendered dashboard: the dashboard-linter rules, then every query through promtool. */
export function dashboardValidator(runTool: RunTool): Validator {
  return {
    name: "dashboard lint + promtool check rules (queries)",
    applies: (path) => path.startsWith(`${ArtifactPath.dashboards}/`) && path.endsWith(".json"),
    validate: (dir, path): Validation => {
      const validator = "dashboard lint + promtool";
      const model = JSON.parse(readFileSync(resolve(dir, path), "utf8")) as LintableDashboard;
      const problems = lintDashboard(model).map((p) => `${p.rule}: ${p.where}: ${p.message}`);
      if (problems.length > 0)
        return { validator, file: path, ok: false, output: problems.join("\n") };
      const scratch = mkdtempSync(join(tmpdir(), "dashboard-queries-"));
      try {
        const file = join(scratch, "queries.yml");
        writeFileSync(file, queriesRuleFile(dashboardQueries(model)));
        const { ok, output } = runTool("promtool", ["check", "rules", file], dir);
        return { validator, file: path, ok, output };
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
  };
}
