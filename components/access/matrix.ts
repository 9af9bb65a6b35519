import type { StackConfig } from "../config/schema";
import { roleMappings } from "../opensearch/access";
import { teamRoleName } from "./federation";
import { GROUP_PREFIX, type RoleBindingSpec, teamRoleBindings } from "./kubernetes";

/**
 * Who holds which role in Grafana, OpenSearch, Kubernetes and AWS, as the stack's config grants
 * it (guide 3.4 access review). Pure: the ops CLI and the quarterly CronJob's expected grants.
 */

export interface AccessRow {
  readonly team: string;
  readonly members: readonly string[];
  readonly grafana: string;
  readonly opensearch: string;
  readonly kubernetes: string;
  readonly aws: string;
}

/** Pure: the matrix the program deploys for this config. */
export function accessMatrix(config: StackConfig): AccessRow[] {
  const mappings = roleMappings(config);
  return config.rbac.teams.map((team) => {
    const osRoles = Object.entries(mappings)
      .filter(([, m]) => m.backend_roles.includes(team.name))
      .map(([role]) => role)
      .sort();
    const none = (level: string, what: string) => (level === "none" ? "—" : what);
    return {
      team: team.name,
      members: [...team.members].sort(),
      grafana: none(team.grafana, `${team.grafana} on the Port 8000 folders (team ${team.name})`),
      opensearch: none(team.opensearch, `${team.opensearch}: ${osRoles.join(", ")}`),
      kubernetes: none(
        team.kubernetes,
        `ClusterRole ${team.kubernetes} in ${config.cluster.namespace} (group ${GROUP_PREFIX}${team.name})`,
      ),
      aws:
        team.aws === "none" && team.kubernetes === "none"
          ? "—"
          : `role ${teamRoleName(config, team)} (archive: ${team.aws})`,
    };
  });
}

/** What the access review compares the live grants with; also the quarterly CronJob's file. */
export interface ExpectedAccess {
  readonly environment: string;
  readonly namespace: string;
  /** Groups under this prefix are the teams' (the identity provider's, via EKS access entries). */
  readonly groupPrefix: string;
  readonly rows: readonly AccessRow[];
  readonly roleBindings: readonly RoleBindingSpec[];
}

export function expectedAccess(config: StackConfig): ExpectedAccess {
  return {
    environment: config.deployment.environment,
    namespace: config.cluster.namespace,
    groupPrefix: GROUP_PREFIX,
    rows: accessMatrix(config),
    roleBindings: teamRoleBindings(config),
  };
}
