import { spawnSync } from "node:child_process";
import { INSTALL_HINT, MissingTool } from "../scripts/validators";

/** promtool's rule unit tests (`promtool test rules`); a missing binary fails loudly. */

export interface PromtoolRun {
  readonly ok: boolean;
  readonly output: string;
}

export function promtoolTestRules(file: string, cwd?: string, tool = "promtool"): PromtoolRun {
  const result = spawnSync(tool, ["test", "rules", file], {
    cwd,
    encoding: "utf8",
    timeout: 300_000,
  });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
    throw new MissingTool(`${tool} is not installed; run: ${INSTALL_HINT}`);
  }
  if (result.error) throw result.error;
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

export interface GotAlert {
  readonly group: string;
  readonly alertname: string;
  readonly evalTime: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/** Go's labels.Labels.String(): {a="b", c="d"} with strconv-quoted values. */
export function parseGoLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [, key, raw] of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
    out[key] = JSON.parse(`"${raw}"`) as string;
  }
  return out;
}

/** The alerts promtool reports under `got:` for each failed alert_rule_test. */
export function parseGotAlerts(output: string): GotAlert[] {
  const found: GotAlert[] = [];
  let group = "";
  let check = { alertname: "", evalTime: "" };
  let inGot = false;
  let labels: Record<string, string> | undefined;
  for (const line of output.split("\n")) {
    const text = line.trim();
    const name = /^name: (.*),$/.exec(text);
    const alert = /^alertname: (\S+), time: (\S+),$/.exec(text);
    if (name) group = name[1];
    else if (alert) check = { alertname: alert[1], evalTime: alert[2] };
    else if (text.startsWith("exp:[")) inGot = false;
    else if (text.startsWith("got:[")) inGot = true;
    else if (inGot && text.startsWith("Labels:")) labels = parseGoLabels(text.slice(7));
    else if (inGot && text.startsWith("Annotations:") && labels) {
      found.push({ group, ...check, labels, annotations: parseGoLabels(text.slice(12)) });
      labels = undefined;
    }
  }
  return found;
}
