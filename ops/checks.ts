/** A check of the guide's maintenance lists and how a run of them is shown (docs/architecture.md, Commands). */

export type Status = "ok" | "warn" | "fail";

export interface Check {
  readonly name: string;
  readonly status: Status;
  readonly detail: string;
}

export const check = (name: string, status: Status, detail: string): Check => ({
  name,
  status,
  detail,
});

/** Exit 1 when any check fails; warnings are findings, not failures. */
export function exitCode(checks: readonly Check[]): number {
  return checks.some((c) => c.status === "fail") ? 1 : 0;
}

export function toJson(checks: readonly Check[]): string {
  const plain = checks.map(({ name, status, detail }) => ({ name, status, detail }));
  return `${JSON.stringify({ checks: plain }, null, 2)}\n`;
}

const MARK: Record<Status, string> = { ok: "OK  ", warn: "WARN", fail: "FAIL" };

/** A table a person reads: status, name, then the detail wrapped under it. */
export function toTable(title: string, checks: readonly Check[]): string {
  const width = Math.max(...checks.map((c) => c.name.length), 5);
  const lines = [title, `${"".padEnd(4)}  ${"check".padEnd(width)}  detail`];
  for (const c of checks) {
    const [first, ...rest] = c.detail.split("\n");
    lines.push(`${MARK[c.status]}  ${c.name.padEnd(width)}  ${first}`);
    for (const line of rest) lines.push(`${"".padEnd(4 + 2 + width)}  ${line}`);
  }
  const counts = (s: Status) => checks.filter((c) => c.status === s).length;
  lines.push("", `${counts("ok")} ok, ${counts("warn")} warn, ${counts("fail")} fail`);
  return `${lines.join("\n")}\n`;
}
