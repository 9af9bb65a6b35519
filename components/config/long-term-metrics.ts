import { z } from "zod";
import { parseDurationMs } from "../../lib/duration";
import { pinnedImage } from "./images";
import { dnsLabel, duration, positiveInt, text } from "./primitives";
import type { StackConfig } from "./schema";

/**
 * Long-term metrics on Thanos (docs/backups.md): Query over the Prometheus HA pair and the
 * archived blocks, the Store Gateway over the archive, the Compactor that downsamples and
 * expires them. Pure: no Pulumi here.
 */

/** The sidecar's release in the pinned chart (prometheusOperator.thanosImage), by digest. */
export const THANOS_IMAGE =
  "quay.io/thanos/thanos:v0.42.4@sha256:b567818fe608067eb0f1d7c2c4fe361e7ad83c8a256234c97685f1d0bf670cc8";

const ARCHIVED_ENVIRONMENTS = ["production", "standby"] as const;

export const longTermMetricsSchema = z
  .strictObject({
    image: pinnedImage.default(THANOS_IMAGE),
    /** How long the Compactor keeps each resolution in the bucket (Thanos' retention flags). */
    retention: z
      .strictObject({
        raw: duration.default("30d"),
        fiveMinutes: duration.default("180d"),
        oneHour: duration.default("1y"),
      })
      .prefault({}),
    queryReplicas: positiveInt.default(2),
    storeReplicas: positiveInt.default(2),
    /**
     * Another environment whose blocks this stack's bucket holds as a replica (the dr stack:
     * "production"): served read-only beside its own, so a rebuilt region shows the history.
     */
    historyFrom: z.enum(ARCHIVED_ENVIRONMENTS).optional(),
    /**
     * Grafana runs outside the cluster (grafana.url): it reads Query through an Ingress for the
     * host of dashboards.datasources.prometheusUrl, authenticated by Query itself (basic auth).
     */
    ingress: z
      .strictObject({
        className: text.default("nginx"),
        /** The Secret holding the host's certificate (e.g. written by cert-manager). */
        tlsSecretName: dnsLabel.default("thanos-query-tls"),
        annotations: z.record(z.string(), z.string()).default({}),
        /** Where the ingress controller's pods run: the only peer let in to Query's HTTP port. */
        controller: z
          .strictObject({
            namespace: dnsLabel.default("ingress-nginx"),
            pods: z
              .record(z.string(), z.string())
              .default({ "app.kubernetes.io/name": "ingress-nginx" }),
          })
          .prefault({}),
      })
      .prefault({}),
  })
  .prefault({})
  .describe("long-term metrics on Thanos");

export type LongTermMetricsConfig = z.output<typeof longTermMetricsSchema>;

const RESOLUTIONS = ["raw", "fiveMinutes", "oneHour"] as const;

/**
 * Cross-section rules: the 30-day SLO panels read every resolution, so none may be kept for less
 * than the SLO window; coarser resolutions outlive finer ones (Thanos downsamples from them); the
 * history of another environment exists only in a replica this stack uses as it is.
 */
export function longTermMetricsRules(config: StackConfig): string[] {
  const { retention, historyFrom } = config.longTermMetrics;
  const window = config.slo.window;
  const problems: string[] = [];
  for (const resolution of RESOLUTIONS) {
    const kept = retention[resolution];
    if (parseDurationMs(kept) < parseDurationMs(window))
      problems.push(
        `longTermMetrics.retention.${resolution} ("${kept}"): shorter than slo.window ("${window}"); the SLO panels would lose part of their window`,
      );
  }
  RESOLUTIONS.slice(1).forEach((resolution, i) => {
    const finer = RESOLUTIONS[i];
    if (parseDurationMs(retention[resolution]) < parseDurationMs(retention[finer]))
      problems.push(
        `longTermMetrics.retention.${resolution} ("${retention[resolution]}"): must be at least retention.${finer} ("${retention[finer]}"), it is downsampled from it`,
      );
  });
  if (historyFrom && !config.archive.existing)
    problems.push(
      `longTermMetrics.historyFrom ("${historyFrom}"): only a stack that uses another stack's replica (archive.existing) holds that environment's blocks`,
    );
  problems.push(...queryEndpointRules(config));
  if (historyFrom === config.deployment.environment)
    problems.push(
      `longTermMetrics.historyFrom ("${historyFrom}"): is this stack's own environment, already served`,
    );
  return problems;
}

/**
 * Grafana runs outside the cluster: a deployed stack serves Query at the host of prometheusUrl
 * through its own Ingress, with TLS, at the root path.
 */
function queryEndpointRules(config: StackConfig): string[] {
  if (config.deployment.environment === "local") return [];
  const raw = config.dashboards.datasources.prometheusUrl;
  const url = new URL(raw);
  if (url.protocol === "https:" && (url.pathname === "/" || url.pathname === "") && !url.port)
    return [];
  return [
    `dashboards.datasources.prometheusUrl ("${raw}"): a deployed stack creates Thanos Query's Ingress for this host; expected https://<host> without port or path`,
  ];
}

/** The longest retention, in whole days: the bucket's lifecycle must not expire blocks sooner. */
export function longestRetentionDays(config: StackConfig): number {
  const longest = Math.max(
    ...RESOLUTIONS.map((r) => parseDurationMs(config.longTermMetrics.retention[r])),
  );
  return Math.ceil(longest / 86_400_000);
}
