/** The alert rules area: what other areas call. Pure, no Pulumi imports. */
export { githubAnchor } from "./links";
export type { RunbookFile } from "./model";
export { SCALED_FOR_FLOOR_MS, SCALED_WINDOW_FLOOR_MS } from "./model";
export { QUANTILES, RecordName } from "./recording";
export {
  type AlertingRule,
  alertNames,
  isAlertingRule,
  prometheusRuleSpec,
  RELEASE_TEMPLATE,
  type RecordingRuleOut,
  type Rule,
  type RuleGroup,
  type RuleGroups,
  renderRuleGroups,
  renderRulesFile,
  ruleArtifacts,
} from "./render";
