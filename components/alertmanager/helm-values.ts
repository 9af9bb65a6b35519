import type { StackConfig } from "../config/schema";
import { PROD_PATHS, RECEIVER_SECRET_NAME } from "./paths";
import { type AlertmanagerConfig, renderAlertmanagerConfig } from "./render";
import { ALERTMANAGER_SERVICE_ACCOUNT } from "./sns-role";
import { renderAlertmanagerTemplates } from "./templates";

/**
 * The `alertmanager:` part of the kube-prometheus-stack 88.5.3 values that this area owns; the
 * lead merges it into the chart values. `templateFiles` land in /etc/alertmanager/config/ and
 * each Secret of `alertmanagerSpec.secrets` in /etc/alertmanager/secrets/<name>/.
 */
export type AlertmanagerHelmValues = {
  config: AlertmanagerConfig;
  templateFiles: Record<string, string>;
  alertmanagerSpec: { secrets: string[] };
  serviceAccount: { name: string; annotations: Record<string, unknown> };
};

/** `serviceAccountAnnotations` carries the IRSA role of the SMS backup (a Pulumi output). */
export function alertmanagerHelmValues(
  config: StackConfig,
  serviceAccountAnnotations: Record<string, unknown> = {},
): AlertmanagerHelmValues {
  return {
    serviceAccount: { name: ALERTMANAGER_SERVICE_ACCOUNT, annotations: serviceAccountAnnotations },
    config: renderAlertmanagerConfig(config, { ...PROD_PATHS, timeScale: 1 }),
    templateFiles: renderAlertmanagerTemplates(),
    alertmanagerSpec: { secrets: [RECEIVER_SECRET_NAME] },
  };
}
