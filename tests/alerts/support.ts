import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import type { AlertingRule, RuleGroups } from "../../alerts/render";
import { isAlertingRule } from "../../alerts/render";
import type { StackConfig } from "../../components/config/schema";
import { PROJECT } from "../../lib/conventions";
import { readStackFile } from "../../scripts/stack-file";
import { parseStackFileConfig } from "../../scripts/synth-lib";
import { memoized } from "../support/memo";

export const ROOT = join(__dirname, "..", "..");
export const RULES_FILE = join(ROOT, "alerts", "port8000-rules.yml");
export const PROMTOOL_TESTS = join(ROOT, "alerts", "tests");
export const PAGING_TEXT_TESTS = join(PROMTOOL_TESTS, "text");
export const RUNBOOKS = join(ROOT, "docs", "runbooks");

/** A stack file's parsed config; `overrides` replace whole top-level keys (e.g. thresholds). */
export function stackConfig(stack = "prod", overrides: Record<string, unknown> = {}): StackConfig {
  return memoized(JSON.stringify(["stackConfig", stack, overrides]), () => {
    const file = readStackFile(join(ROOT, `Pulumi.${stack}.yaml`));
    const config = { ...file.config };
    for (const [key, value] of Object.entries(overrides)) {
      config[`${PROJECT}:${key}`] = JSON.stringify(value);
    }
    return parseStackFileConfig(stack, { config, secretKeys: file.secretKeys });
  });
}

export function committedRules(): RuleGroups {
  return yaml.load(readFileSync(RULES_FILE, "utf8")) as RuleGroups;
}

export function alertingRules(groups: RuleGroups): AlertingRule[] {
  return groups.groups.flatMap((g) => g.rules).filter(isAlertingRule);
}

/** The rule of one alert at one severity (the first, where several share it). */
export function ruleOf(groups: RuleGroups, alert: string, severity: string): AlertingRule {
  const rule = alertingRules(groups).find(
    (r) => r.alert === alert && r.labels.severity === severity,
  );
  if (!rule) throw new Error(`no ${severity} rule for ${alert}`);
  return rule;
}
