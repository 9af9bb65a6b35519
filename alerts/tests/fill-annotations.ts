import { readFileSync, writeFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { parseDurationMs } from "../../lib/duration";
import { type GotAlert, parseGotAlerts, promtoolTestRules } from "../promtool";

/**
 * Dev tool: `npx tsx alerts/tests/fill-annotations.ts alerts/tests/<file>.test.yml`.
 * The timing and labels of every case are written by hand; this fills `exp_annotations` of an
 * expected alert only where promtool fired exactly those labels, so a wrong expectation
 * still fails. Review the diff: it is the text a person gets paged with.
 */

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function flowLabels(line: string): Record<string, string> {
  const body = /exp_labels: \{(.*)\}/.exec(line)?.[1] ?? "";
  return Object.fromEntries(
    body.split(", ").map((pair) => {
      const at = pair.indexOf(": ");
      return [pair.slice(0, at), pair.slice(at + 2)].map((s) => s.trim().replace(/^"|"$/g, ""));
    }),
  );
}

function fill(text: string, got: GotAlert[]): { text: string; filled: number } {
  const lines = text.split("\n");
  const out: string[] = [];
  let group = "";
  let evalTime = "";
  let alertname = "";
  let filled = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s+exp_annotations:/.test(line)) continue;
    out.push(line);
    group = /^ {2}- name: '(.*)'$/.exec(line)?.[1] ?? group;
    evalTime = /- eval_time: (\S+)$/.exec(line)?.[1] ?? evalTime;
    alertname = /^\s+alertname: (\S+)$/.exec(line)?.[1] ?? alertname;
    if (!line.includes("exp_labels:")) continue;
    const labels = { ...flowLabels(line), alertname };
    const match = got.find(
      (g) =>
        g.group === group &&
        g.alertname === alertname &&
        parseDurationMs(g.evalTime) === parseDurationMs(evalTime) &&
        sameLabels(g.labels, labels),
    );
    const kept = lines[i + 1]?.match(/^\s+exp_annotations:/) ? lines[i + 1] : undefined;
    const indent = `${line.match(/^\s*/)?.[0]}  `;
    if (match) {
      out.push(`${indent}exp_annotations: ${JSON.stringify(match.annotations)}`);
      filled++;
    } else if (kept) out.push(kept);
  }
  return { text: out.join("\n"), filled };
}

for (const file of process.argv.slice(2)) {
  const run = promtoolTestRules(basename(file), dirname(file));
  const { text, filled } = fill(readFileSync(file, "utf8"), parseGotAlerts(run.output));
  writeFileSync(file, text);
  console.log(
    `${file}: filled ${filled} expected alert(s); promtool ${run.ok ? "passed" : "failed"}`,
  );
}
