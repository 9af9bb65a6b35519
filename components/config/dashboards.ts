import { z } from "zod";
import { DURATION_PATTERN } from "../../lib/duration";
import { text, url } from "./primitives";

/** Grafana content of guide 1.4: datasources, dashboard defaults and how they are shared. */

export const dashboardsSchema = z
  .strictObject({
    datasources: z.strictObject({
      /** The stack's own Prometheus as Grafana reaches it. */
      prometheusUrl: url,
      /** The OpenSearch logs cluster (guide 1.2), read through the OpenSearch plugin. */
      opensearch: z
        .strictObject({
          url,
          index: text.default("port8000-*"),
          timeField: text.default("@timestamp"),
          /** OpenSearch version the plugin speaks to. */
          version: z
            .string()
            .regex(/^\d+\.\d+\.\d+$/, 'expected a version such as "2.19.0"')
            .default("2.19.0"),
          /**
           * OpenSearch user Grafana reads logs as (mapped to the read-only logs role); its
           * password is the opensearchGrafanaPassword secret. Unset: no authentication.
           */
          basicAuthUser: text.optional(),
        })
        .superRefine((o, ctx) => {
          if (o.url.endsWith("/"))
            ctx.addIssue({ code: "custom", path: ["url"], message: "must not end with /" });
        }),
    }),
    /** Auto-refresh of every dashboard. */
    refresh: z
      .string()
      .regex(DURATION_PATTERN, { message: 'expected a duration such as "30s" or "1m"' })
      .default("1m"),
    /** Extra tags on every dashboard (besides "port8000"). */
    tags: z.array(text).default([]),
    sharing: z
      .strictObject({
        /**
         * Guide 1.4 "read-only links for leadership": a public (shared) dashboard per dashboard,
         * reachable without a login. Off by default; the viewer path (leadership as a View team)
         * needs nothing extra.
         */
        publicDashboards: z.boolean().default(false),
      })
      .prefault({}),
  })
  .describe("Grafana datasources and dashboards");

export type DashboardsConfig = z.output<typeof dashboardsSchema>;
