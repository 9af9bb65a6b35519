import { DatasourceName, DatasourceType, DatasourceUid } from "../../dashboards/conventions";
import type { StackConfig } from "../config/schema";
import { QUERY_USER } from "../thanos/access";

/** Grafana's datasources of the dashboards (guide 1.4), from config. Pure. */

export interface DatasourceSpec {
  readonly role: "prometheus" | "logs";
  readonly uid: string;
  readonly name: string;
  readonly type: string;
  readonly url: string;
  readonly databaseName?: string;
  /** Basic-auth user; the password joins as a secret in the component. */
  readonly basicAuthUser?: string;
  readonly jsonData: Record<string, unknown>;
}

export function datasourceSpecs(config: StackConfig): DatasourceSpec[] {
  const { prometheusUrl, opensearch } = config.dashboards.datasources;
  return [
    {
      role: "prometheus",
      uid: DatasourceUid.prometheus,
      name: DatasourceName.prometheus,
      type: DatasourceType.prometheus,
      // Thanos Query (components/thanos): both replicas deduplicated, the archive behind the
      // last 15 days; the stack creates its Ingress and the basic-auth user.
      url: prometheusUrl,
      basicAuthUser: QUERY_USER,
      // POST keeps long rule-sized queries out of URLs; the scrape interval sizes $__rate_interval.
      jsonData: { httpMethod: "POST", prometheusType: "Thanos", timeInterval: "30s" },
    },
    {
      role: "logs",
      uid: DatasourceUid.logs,
      name: DatasourceName.logs,
      type: DatasourceType.opensearch,
      url: opensearch.url,
      databaseName: opensearch.index,
      basicAuthUser: opensearch.basicAuthUser,
      jsonData: {
        database: opensearch.index,
        flavor: "opensearch",
        version: opensearch.version,
        timeField: opensearch.timeField,
        logMessageField: "message",
        logLevelField: "level",
        maxConcurrentShardRequests: 5,
        pplEnabled: true,
      },
    },
  ];
}
