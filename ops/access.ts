import type { AccessRow } from "../components/access/matrix";
import { type Check, check } from "./checks";

export { type AccessRow, accessMatrix } from "../components/access/matrix";

/**
 * Guide 3.4 access review and 3.3 "audit access for least-privilege compliance": who holds which
 * role in Grafana, OpenSearch, Kubernetes and AWS, as the stack's config grants it, and in
 * Grafana as it is live (where the CLI can reach it).
 */

const PRIVILEGED = /admin/;

export function accessCheck(rows: readonly AccessRow[], environment: string): Check {
  const name = "access review (config)";
  if (rows.length === 0) return check(name, "fail", "no team is granted anything");
  const lines = rows.map(
    (r) =>
      `${r.team} [${r.members.join(", ") || "no members"}]: Grafana ${r.grafana}; OpenSearch ${r.opensearch}; Kubernetes ${r.kubernetes}; AWS ${r.aws}`,
  );
  const admins = rows.filter((r) =>
    [r.grafana, r.opensearch, r.kubernetes, r.aws].some((c) => PRIVILEGED.test(c)),
  );
  const wide = admins.filter((r) => r.members.length > 3);
  const head = `${rows.length} teams in ${environment}; admin somewhere: ${admins.map((r) => r.team).join(", ") || "none"}`;
  return check(
    name,
    wide.length ? "warn" : "ok",
    [
      wide.length ? `${head}; more than 3 admins in ${wide.map((r) => r.team).join(", ")}` : head,
      ...lines,
    ].join("\n"),
  );
}

export interface LiveTeam {
  readonly name: string;
  readonly members: readonly string[];
}

/** Live Grafana teams against the config's: a member the config does not name is a finding. */
export function grafanaLiveCheck(
  rows: readonly AccessRow[],
  live: readonly LiveTeam[] | string,
): Check {
  const name = "access review (Grafana live)";
  if (typeof live === "string") return check(name, "warn", live);
  const drift: string[] = [];
  for (const row of rows.filter((r) => r.grafana !== "—")) {
    const team = live.find((t) => t.name === row.team);
    if (!team) {
      drift.push(`${row.team}: no such team in Grafana`);
      continue;
    }
    const extra = team.members.filter((m) => !row.members.includes(m));
    const missing = row.members.filter((m) => !team.members.includes(m));
    if (extra.length) drift.push(`${row.team}: not in config: ${extra.join(", ")}`);
    if (missing.length) drift.push(`${row.team}: not (yet) in Grafana: ${missing.join(", ")}`);
  }
  return drift.length
    ? check(name, "warn", [`${drift.length} difference(s) from the config`, ...drift].join("\n"))
    : check(name, "ok", `${live.length} teams, members as configured`);
}

/** Grafana's HTTP API (token in GRAFANA_TOKEN); a reason string when it cannot be read. */
export async function grafanaTeams(
  url: string,
  token: string | undefined,
): Promise<LiveTeam[] | string> {
  if (!token) return "warn: GRAFANA_TOKEN not set; live Grafana roles not read";
  const get = async (path: string) => {
    const res = await fetch(`${url}${path}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(20_000),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status} on ${path}`);
    return res.json();
  };
  try {
    const found = (await get("/api/teams/search?perpage=1000")) as {
      teams: { id: number; name: string }[];
    };
    const teams: LiveTeam[] = [];
    for (const t of found.teams) {
      const members = (await get(`/api/teams/${t.id}/members`)) as { email: string }[];
      teams.push({ name: t.name, members: members.map((m) => m.email).sort() });
    }
    return teams;
  } catch (err) {
    return `warn: could not read Grafana at ${url} (${(err as Error).message})`;
  }
}
