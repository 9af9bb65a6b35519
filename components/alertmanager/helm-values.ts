import type { StackConfig } from "../config/schema";
import { PROD_PATHS, RECEIVER_SECRET_NAME } from "./paths";
import { type AlertmanagerConfig, renderAlertmanagerConfig } from "./render";
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
};

export function alertmanagerHelmValues(config: StackConfig): AlertmanagerHelmValues {
  return {
    config: renderAlertmanagerConfig(config, { ...PROD_PATHS, timeScale: 1 }),
    templateFiles: renderAlertmanagerTemplates(),
    alertmanagerSpec: { secrets: [RECEIVER_SECRET_NAME] },
  };
}
