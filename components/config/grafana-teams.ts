import { z } from "zod";
import { dnsLabel, text } from "./primitives";

/**
 * Who puts people into the Grafana teams. Never this program from a member list: the Grafana
 * provider adds members by e-mail and fails the whole `pulumi up` ("user does not exist in
 * Grafana") for anyone who has not signed in yet, and with SSO nobody exists before their
 * first sign-in. So membership comes from sign-in:
 * - `sync`: Team Sync (Grafana Enterprise or Cloud only) keeps each team equal to the
 *   identity provider's groups named in `grafana.teamSync.<team>` at every sign-in;
 * - `external` (default, any edition): the teams are created empty and Pulumi never touches
 *   their members; an admin adds people in Grafana (Administration → Teams).
 * Either way the teams' folder grants are applied.
 */
export const TEAM_MEMBERSHIP_MODES = ["external", "sync"] as const;

export const MANAGED_MEMBERS_REFUSED =
  "a member list cannot be applied: Grafana's provider fails the whole `pulumi up` for any member who has not signed in yet, and with SSO no stack can guarantee that; use `sync` (Team Sync, Grafana Enterprise/Cloud) or `external`";

export const teamMembershipSchema = z
  .string()
  .default("external")
  .superRefine((mode, ctx) => {
    if (mode === "managed") ctx.addIssue({ code: "custom", message: MANAGED_MEMBERS_REFUSED });
    else if (!(TEAM_MEMBERSHIP_MODES as readonly string[]).includes(mode))
      ctx.addIssue({
        code: "custom",
        message: `expected one of ${TEAM_MEMBERSHIP_MODES.map((m) => `"${m}"`).join(", ")}`,
      });
  })
  .transform((mode) => mode as (typeof TEAM_MEMBERSHIP_MODES)[number]);
export type TeamMembership = z.output<typeof teamMembershipSchema>;

/** Team name → the identity provider's groups (the values of its groups claim) synced into it. */
export const teamSyncSchema = z.record(dnsLabel, z.array(text).min(1, "needs at least one group"));
export type TeamSyncGroups = z.output<typeof teamSyncSchema>;

interface TeamSyncInput {
  readonly grafana: { readonly teamMembership: TeamMembership; readonly teamSync?: TeamSyncGroups };
  readonly rbac: { readonly teams: readonly { readonly name: string; readonly grafana: string }[] };
}

/** `sync` needs groups for every team with Grafana access; groups name only such teams. */
export function teamSyncProblems(config: TeamSyncInput): string[] {
  const { teamMembership, teamSync } = config.grafana;
  const teams = config.rbac.teams.filter((t) => t.grafana !== "none").map((t) => t.name);
  if (teamMembership !== "sync") {
    return teamSync
      ? [
          `grafana.teamSync: only read with grafana.teamMembership: sync (it is "${teamMembership}"); remove it or switch to sync`,
        ]
      : [];
  }
  const groups = teamSync ?? {};
  return [
    ...teams
      .filter((team) => !groups[team])
      .map(
        (team) =>
          `grafana.teamSync.${team}: required with grafana.teamMembership: sync (the identity provider's groups whose members join team ${team})`,
      ),
    ...Object.keys(groups)
      .filter((team) => !teams.includes(team))
      .map(
        (team) =>
          `grafana.teamSync.${team}: no rbac.teams entry named "${team}" with Grafana access`,
      ),
  ];
}
