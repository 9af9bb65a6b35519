import yaml from "js-yaml";

/**
 * Which alerting rules differ between two rule files, and the reduced rule file that replays
 * them: those alerts (annotations dropped: they never change when an alert fires, and their
 * `query` templates would cost a query per evaluation) with the recording rules they read,
 * directly or through other recording rules, in their groups and order.
 */

interface RawRule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly keep_firing_for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

interface RawGroup {
  readonly name: string;
  readonly rules: readonly RawRule[];
  readonly [setting: string]: unknown;
}

export interface RuleFile {
  readonly groups: readonly RawGroup[];
}

/** An alerting rule's identity: its name and labels (the severity tells levels apart). */
export function alertKey(rule: RawRule): string {
  const labels = Object.entries(rule.labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return `${rule.alert}${JSON.stringify(labels)}`;
}

export function parseRuleFile(text: string, source: string): RuleFile {
  const doc = yaml.load(text) as RuleFile | undefined;
  if (!doc || !Array.isArray(doc.groups)) throw new Error(`${source}: not a Prometheus rule file`);
  return doc;
}

/** What decides when an alert fires: expression, hold, keep-firing and group settings. */
function firingShape(rule: RawRule, group: RawGroup, file: RuleFile): string {
  const { name: _name, rules: _rules, ...settings } = group;
  const recorded = dependencies(rule.expr, file).map((r) => [r.record, r.expr.trim()]);
  return JSON.stringify([
    rule.expr.trim(),
    rule.for ?? "0s",
    rule.keep_firing_for ?? "0s",
    settings,
    recorded,
  ]);
}

function alertsOf(file: RuleFile): Map<string, string> {
  const out = new Map<string, string>();
  for (const group of file.groups) {
    for (const rule of group.rules) {
      if (rule.alert) out.set(alertKey(rule), firingShape(rule, group, file));
    }
  }
  return out;
}

/** Keys of the alerts whose firing can differ: changed, added or removed. */
export function changedAlerts(base: RuleFile, head: RuleFile): string[] {
  const before = alertsOf(base);
  const after = alertsOf(head);
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
}

const NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/g;

/** Recording rules an expression reads, transitively, in file order. */
function dependencies(expr: string, file: RuleFile): RawRule[] {
  const recording = file.groups.flatMap((g) => g.rules.filter((r) => r.record));
  const needed = new Set<string>();
  const visit = (text: string) => {
    for (const [name] of text.matchAll(NAME)) {
      const rule = recording.find((r) => r.record === name);
      if (rule && !needed.has(name)) {
        needed.add(name);
        visit(rule.expr);
      }
    }
  };
  visit(expr);
  return recording.filter((r) => needed.has(r.record as string));
}

/** The rule file that replays `keys`: null when this revision has none of them. */
export function replayFile(file: RuleFile, keys: readonly string[]): RuleFile | null {
  const wanted = new Set(keys);
  const alerts = file.groups.flatMap((g) =>
    g.rules.filter((r) => r.alert && wanted.has(alertKey(r))),
  );
  if (alerts.length === 0) return null;
  const records = new Set(
    alerts.flatMap((a) => dependencies(a.expr, file)).map((r) => r.record as string),
  );
  const groups = file.groups
    .map((group) => ({
      ...group,
      rules: group.rules
        .filter((r) => (r.record ? records.has(r.record) : wanted.has(alertKey(r))))
        .map(({ annotations: _annotations, ...rule }) => rule),
    }))
    .filter((group) => group.rules.length > 0);
  return { groups };
}

export function ruleFileYaml(file: RuleFile): string {
  return yaml.dump(file, { lineWidth: -1, noRefs: true });
}
