/**
 * Every alert name the rules define, and the only place one is spelled (docs/architecture.md,
 * Contracts). Routes, inhibitions, the automation service's wiring, dashboards, ops and bench
 * import `AlertName.<name>`; tests/alert-names.test.ts fails on a name spelled anywhere else
 * and on a name here without a rule.
 */

const NAMES = [
  // alerts/catalogue/http.ts
  "Port8000HighErrorRate",
  "Port8000HighLatency",
  "Port8000DeployRegression",
  // alerts/catalogue/bots.ts
  "Port8000BotDispatchSlow",
  "Port8000QueueBacklog",
  "Port8000BotCrashLoop",
  "Port8000BotHighCpu",
  "Port8000BotHighMemory",
  // alerts/catalogue/host.ts
  "HostHighCpu",
  "HostMemoryPressure",
  "HostDiskSpaceLow",
  "HostOomKill",
  // alerts/catalogue/service.ts
  "Port8000Down",
  "Port8000FileDescriptorsHigh",
  "Port8000MemoryLeak",
  "Port8000ConnectionDrops",
  "Port8000WebSocketWorkersStuck",
  "Port8000MetricsAbsent",
  // alerts/catalogue/dependencies.ts
  "Port8000DependencyLatencyHigh",
  "Port8000DbPoolSaturated",
  "Port8000DatabaseUnreachable",
  "Port8000DbLatencyHigh",
  // alerts/catalogue/public.ts
  "Port8000CertificateExpiry",
  "Port8000PublicEndpointDown",
  // alerts/catalogue/slo.ts
  "Port8000ErrorBudgetBurn",
  // alerts/catalogue/platform.ts
  "Watchdog",
  "PrometheusScrapeErrors",
  "PrometheusRuleEvaluationFailures",
  "PrometheusNotificationFailures",
  "AlertmanagerNotificationFailures",
  "Port8000LogVolumeSpike",
  "PrometheusConfigReloadFailed",
  "AlertmanagerConfigReloadFailed",
  // alerts/catalogue/pipeline.ts
  "ThanosSidecarUploadFailures",
  "ThanosSidecarNoUpload",
  "LogstashDeadLetterGrowth",
  "LogstashArchiveOutputStalled",
  "LogstashPipelineStalled",
  "OpenSearchClusterHealth",
  "OpenSearchDiskWatermark",
  "PrometheusVolumeFilling",
  "MonitoringPodCrashLooping",
  // alerts/catalogue/pipeline-state.ts
  "FilebeatOutputErrors",
  "FilebeatEventsDropped",
  "OpenSearchSnapshotFailed",
  "OpenSearchIsmStepFailed",
  "OpenSearchStateScrapeFailing",
  // alerts/catalogue/long-term-metrics.ts
  "ThanosCompactHalted",
  "ThanosStoreSyncFailures",
] as const;

export type AlertName = (typeof NAMES)[number];

/** Keyed by the name itself, so a search for an alert's name finds every use of it. */
export const AlertName = Object.freeze(
  Object.fromEntries(NAMES.map((name) => [name, name])) as { readonly [N in AlertName]: N },
);

/** Every registered name, in the order above. */
export const ALERT_NAMES: readonly AlertName[] = NAMES;
