import { AlertName } from "../../lib/alert-names";
/**
 * The deploy freeze (guide 2.5: a critical disk alert blocks deployments). The automation
 * service writes the state into a ConfigMap of the monitoring namespace; `pulumi up` of this
 * program reads it first and refuses while it holds. Pure: no Pulumi here.
 */

export const FREEZE_CONFIGMAP = "port8000-deploy-freeze";
/** Break glass for one run: `PORT8000_DEPLOY_FREEZE_OVERRIDE="<reason>" pulumi up`. */
export const FREEZE_OVERRIDE_ENV = "PORT8000_DEPLOY_FREEZE_OVERRIDE";

/** What the ConfigMap holds before the automation service ever wrote to it. */
export const INITIAL_FREEZE_DATA = { frozen: "false", alerts: "[]", reason: "", updatedAt: "" };

export type FreezeVerdict =
  | { readonly kind: "clear" }
  | { readonly kind: "overridden"; readonly message: string }
  | { readonly kind: "blocked"; readonly message: string };

export function freezeVerdict(
  data: Record<string, string> | undefined,
  override: string | undefined,
  where: string,
): FreezeVerdict {
  if (data?.frozen !== "true") return { kind: "clear" };
  const held = `Deploy freeze in effect (${where}): ${data.reason || `${AlertName.HostDiskSpaceLow} critical`} since ${data.updatedAt || "unknown time"}.`;
  if (override?.trim()) {
    return {
      kind: "overridden",
      message: `${held} Deploying anyway, override reason: "${override.trim()}".`,
    };
  }
  return {
    kind: "blocked",
    message: [
      held,
      `Nothing was changed. The freeze lifts by itself when ${AlertName.HostDiskSpaceLow} resolves; see docs/alerting.md.`,
      `To deploy anyway (e.g. the fix for the disk), rerun with ${FREEZE_OVERRIDE_ENV}="<reason>" or set config alerting.deployFreezeOverride.`,
    ].join("\n"),
  };
}
