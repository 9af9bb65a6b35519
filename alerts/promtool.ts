import { runTool, type ToolRun } from "../lib/tools";

/** promtool's rule unit tests (`promtool test rules`); a missing binary fails loudly. */
export function promtoolTestRules(file: string, cwd?: string): ToolRun {
  return runTool("promtool", ["test", "rules", file], cwd, 300_000);
}
