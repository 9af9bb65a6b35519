/** Names the dashboards, the Grafana component and the annotation writer share. */

export const DatasourceVar = { prometheus: "datasource", logs: "logs" } as const;

export const DatasourceType = {
  prometheus: "prometheus",
  /** The OpenSearch plugin (grafana-opensearch-datasource). */
  opensearch: "grafana-opensearch-datasource",
} as const;

/** Tags of the annotations the automation service writes and every dashboard shows. */
export const AnnotationTag = { deploy: "deploy", incident: "incident" } as const;

/** The tag a deploy annotation of `service` carries (POST /annotations/deploy `service`). */
export function serviceTag(service: string): string {
  return `service:${service}`;
}

/** Fixed datasource uids, so the dashboards' variables default to the stack's own. */
export const DatasourceUid = { prometheus: "port8000-prometheus", logs: "port8000-logs" } as const;
export const DatasourceName = {
  prometheus: "Port 8000 Prometheus",
  logs: "Port 8000 logs",
} as const;
