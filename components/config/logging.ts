import { z } from "zod";
import { dnsLabel, positiveInt, quantity, text, url } from "./primitives";

/** The log pipeline (guide 1.2): sources, tiers, cluster shape, images. Pure: no Pulumi here. */

/** Logstash byte sizes ("4gb", "512mb"). */
const byteSize = z.string().regex(/^\d+(kb|mb|gb)$/, { message: 'expected a size such as "4gb"' });
/**
 * An image by tag, or by tag and digest. A tag alone is resolved to its digest at deploy time
 * (components/logging pins the deployed reference); a digest given here is used as it is.
 */
const image = z
  .string()
  .regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+:[\w.-]+(@sha256:[a-f0-9]{64})?$/, {
    message: 'expected "registry/repository:tag" optionally followed by "@sha256:<64 hex>"',
  });

/** How each kind of line is read; the grok and json filters of the pipeline follow the kind. */
export const LOG_KINDS = [
  "gunicorn-access",
  "werkzeug",
  "nginx-access",
  "json",
  "journald",
] as const;
export type LogKind = (typeof LOG_KINDS)[number];

const logSource = z
  .strictObject({
    name: dnsLabel,
    kind: z.enum(LOG_KINDS),
    /** Host paths Filebeat tails; journald reads the journal and takes none. */
    paths: z.array(text).default([]),
  })
  .superRefine((s, ctx) => {
    if (s.kind === "journald" && s.paths.length > 0)
      ctx.addIssue({
        code: "custom",
        path: ["paths"],
        message: "journald reads the journal; remove paths",
      });
    if (s.kind !== "journald" && s.paths.length === 0)
      ctx.addIssue({
        code: "custom",
        path: ["paths"],
        message: `a ${s.kind} source needs at least one path`,
      });
  });

/**
 * How people sign in to OpenSearch Dashboards: the organisation's OpenID Connect provider.
 * The token's rolesClaim must carry the team names, which the role mappings use as backend
 * roles. The client secret is the opensearchOidcClientSecret secret.
 */
/** OpenID Connect Discovery: the provider's document is at its issuer URL plus this path. */
export const DISCOVERY_PATH = "/.well-known/openid-configuration";

/**
 * Where an issuer's discovery document is (OpenID Connect Discovery 1.0, section 4: a trailing
 * `/` of the issuer is removed before the path is appended). The reverse is ambiguous, so the
 * issuer is configured, as the provider's discovery document states it, and checked against it.
 */
export const discoveryUrlOf = (issuer: string) => `${issuer.replace(/\/$/, "")}${DISCOVERY_PATH}`;

const ssoSchema = z
  .strictObject({
    discoveryUrl: url.refine((u) => u.endsWith(DISCOVERY_PATH), {
      message: "expected the provider's …/.well-known/openid-configuration URL",
    }),
    /** The `issuer` of the discovery document: tokens' `iss` must equal it exactly. */
    issuer: url,
    clientId: text,
    rolesClaim: text.default("groups"),
    subjectClaim: text.default("email"),
    scope: text.default("openid profile email"),
  })
  .superRefine((sso, ctx) => {
    const discovery = sso.discoveryUrl.endsWith(DISCOVERY_PATH);
    if (discovery && discoveryUrlOf(sso.issuer) !== sso.discoveryUrl)
      ctx.addIssue({
        code: "custom",
        path: ["issuer"],
        message: `its discovery document is at ${discoveryUrlOf(sso.issuer)}, not at discoveryUrl; give the issuer exactly as the provider's discovery document states it`,
      });
  });

const opensearchSchema = z
  .strictObject({
    /** OpenSearch and Dashboards version the operator deploys. */
    version: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/, "expected a version such as 2.19.2")
      .default("2.19.2"),
    hotNodes: positiveInt.default(3),
    warmNodes: positiveInt.default(2),
    /** Replicas of an index while hot, and after the ISM policy moves it to warm. */
    hotReplicas: z.number().int().min(0).default(1),
    warmReplicas: z.number().int().min(0).default(0),
    shards: positiveInt.default(1),
    warmDiskSize: quantity.default("500Gi"),
    /** Segments per shard after the warm force merge. */
    forceMergeSegments: positiveInt.default(1),
    /** Daily snapshots to the archive bucket, kept for logging.retention.archiveDays. */
    snapshotCron: text.default("0 2 * * *"),
    dashboardsReplicas: positiveInt.default(2),
    sso: ssoSchema.optional(),
  })
  .prefault({});

const logstashSchema = z
  .strictObject({
    replicas: positiveInt.default(2),
    /** Persisted queue: events survive a restart or an OpenSearch outage up to this size. */
    queueMaxBytes: byteSize.default("4gb"),
    /** Dead letter queue for events OpenSearch rejects; drained to the archive. */
    deadLetterMaxBytes: byteSize.default("1gb"),
    /** Volume per pod; must hold the queue and the dead letter queue. */
    diskSize: quantity.default("20Gi"),
    /** Minutes the S3 output buffers before it uploads a file. */
    archiveFlushMinutes: positiveInt.default(5),
  })
  .prefault({});

const imagesSchema = z
  .strictObject({
    filebeat: image.default("docker.elastic.co/beats/filebeat-oss:8.19.2"),
    logstash: image.default(
      "docker.io/opensearchproject/logstash-oss-with-opensearch-output-plugin:8.9.0",
    ),
    jsonExporter: image.default("quay.io/prometheuscommunity/json-exporter:v0.7.0"),
    curl: image.default("docker.io/curlimages/curl:8.11.1"),
  })
  .prefault({});

const evidenceSchema = z
  .strictObject({
    /** Log lines attached to a page's Slack post (guide 2.1: attach log samples). */
    maxSamples: z.number().int().min(1).max(100).default(20),
    /** How long the automation service waits for OpenSearch before posting without samples. */
    timeoutMs: z.number().int().min(100).max(30_000).default(3000),
    /** How far back the samples are searched. */
    window: z
      .string()
      .regex(/^\d+[mh]$/, 'expected minutes or hours such as "15m"')
      .default("15m"),
    /** How often the evidence poller asks Alertmanager which evidence alerts fire. */
    pollSeconds: z.number().int().min(5).max(600).default(30),
  })
  .prefault({});

const DEFAULT_SOURCES = [
  { name: "gunicorn-access", kind: "gunicorn-access", paths: ["/var/log/port8000/access.log"] },
  { name: "werkzeug", kind: "werkzeug", paths: ["/var/log/port8000/app.log"] },
  { name: "nginx-access", kind: "nginx-access", paths: ["/var/log/nginx/port8000-access.log"] },
  { name: "orchestrator", kind: "json", paths: ["/var/lib/port8000/.deia/bot-logs/*.jsonl"] },
  {
    name: "bot-health",
    kind: "json",
    paths: ["/var/lib/port8000/.deia/bot-logs/bot_health_monitor*.log"],
  },
  { name: "system-journal", kind: "journald", paths: [] },
] as const;

export const loggingSchema = z
  .strictObject({
    /** Namespace of the log pipeline (Filebeat, Logstash, OpenSearch). */
    namespace: dnsLabel.default("logging"),
    sources: z
      .array(logSource)
      .min(1)
      .default(DEFAULT_SOURCES.map((s) => ({ ...s, paths: [...s.paths] }))),
    /** Days in each tier (guide 1.2); docs/configuration.md states how they chain. */
    retention: z
      .strictObject({
        hotDays: positiveInt.default(30),
        warmDays: positiveInt.default(60),
        archiveDays: positiveInt.default(180),
      })
      .prefault({}),
    opensearch: opensearchSchema,
    logstash: logstashSchema,
    images: imagesSchema,
    evidence: evidenceSchema,
  })
  .prefault({})
  .superRefine((l, ctx) => {
    const names = l.sources.map((s) => s.name);
    const dupes = names.filter((n, i) => names.indexOf(n) !== i);
    if (dupes.length > 0)
      ctx.addIssue({
        code: "custom",
        path: ["sources"],
        message: `duplicate source names: ${dupes.join(", ")}`,
      });
    const { hotDays, warmDays, archiveDays } = l.retention;
    if (archiveDays < hotDays + warmDays)
      ctx.addIssue({
        code: "custom",
        path: ["retention", "archiveDays"],
        message: `must cover the searchable life of an index, hotDays + warmDays (${hotDays + warmDays})`,
      });
    if (l.opensearch.hotReplicas >= l.opensearch.hotNodes)
      ctx.addIssue({
        code: "custom",
        path: ["opensearch", "hotReplicas"],
        message: `must be below hotNodes (${l.opensearch.hotNodes}), or replicas stay unassigned`,
      });
    if (l.opensearch.warmReplicas >= l.opensearch.warmNodes)
      ctx.addIssue({
        code: "custom",
        path: ["opensearch", "warmReplicas"],
        message: `must be below warmNodes (${l.opensearch.warmNodes})`,
      });
  });

export type LoggingConfig = z.output<typeof loggingSchema>;
export type LogSource = LoggingConfig["sources"][number];
