import { z } from "zod";

/**
 * Who keeps the members of the Grafana teams. `managed`: this program, from
 * rbac.teams[].members; Grafana refuses a member who is not yet a user, so every member must
 * have logged in once. `external`: the teams are created empty and Pulumi never touches their
 * members (added in Grafana's UI or by Team Sync); for a Grafana nobody has logged in to yet,
 * such as the standby one after a disaster.
 */
export const teamMembershipSchema = z.enum(["managed", "external"]).default("managed");
export type TeamMembership = z.output<typeof teamMembershipSchema>;
