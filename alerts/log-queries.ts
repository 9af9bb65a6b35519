import { SERVICE_LABEL } from "../lib/conventions";
import { LogField } from "../lib/log-fields";

/** KQL fragments the alerts' log links share (links.ts); field names from lib/log-fields.ts. */

/** Port 8000's own logs. */
export const APP_LOGS = `${LogField.service}:${SERVICE_LABEL}`;
/** Everything logged on the alert's node (Filebeat stamps the node's name as host.name). */
export const HOST_LOGS = `${LogField.hostName}:"{{ $labels.node }}"`;
/** The monitoring namespace's pods: Prometheus, Alertmanager, Thanos, the automation service. */
export const MONITORING_LOGS = `${LogField.kubernetesNamespace}:monitoring`;
