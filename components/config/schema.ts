import { z } from "zod";
import { DURATION_PATTERN } from "../../lib/duration";
import { dashboardsSchema } from "./dashboards";
import { teamMembershipSchema } from "./grafana-teams";
import { identitySchema } from "./identity";
import { AUTOMATION_IMAGE, LOG_ROTATION_IMAGE, pinnedImage } from "./images";
import { thresholdsSchema } from "./thresholds";

/** One schema for everything the operations guide configures. Pure: no Pulumi here. */

const text = z.string({ message: "expected a string" }).min(1, "must not be empty");
const duration = z.string().regex(DURATION_PATTERN, {
  message: 'expected a Prometheus duration such as "30s", "5m" or "1h"',
});
const url = z.url({ message: "expected an absolute URL (http:// or https://)" });
const port = z.number().int().min(1).max(65535);
const path = z.string().regex(/^\//, { message: 'expected a path starting with "/"' });
const positiveInt = z.number().int().positive();
const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: "expected a lowercase DNS label" })
  .max(63);
const quantity = z.string().regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti)$/, {
  message: 'expected a Kubernetes quantity such as "50Gi"',
});
const email = z.email({ message: "expected an e-mail address" });

export const deploymentSchema = z
  .strictObject({
    /** production deploys the primary; standby rebuilds it after a disaster; local is a laptop. */
    environment: z.enum(["production", "standby", "local"]),
    region: text,
  })
  .describe("where this stack runs");

export const clusterSchema = z
  .strictObject({
    /** kubeconfig context; unset uses the ambient one. */
    context: text.optional(),
    /** EKS cluster name: team roles get access entries on it. */
    name: text.optional(),
    /** EKS OIDC provider; when set, Alertmanager publishes SMS through an IRSA role. */
    oidcProviderArn: z
      .string()
      .regex(/^arn:aws:iam::\d{12}:oidc-provider\/\S+$/, "expected an IAM OIDC provider ARN")
      .optional(),
    namespace: dnsLabel.default("monitoring"),
    storageClass: text.default("gp3"),
  })
  .prefault({});

export const serviceSchema = z.strictObject({
  name: dnsLabel.default("port8000"),
  namespace: dnsLabel.default("port8000"),
  port: port.default(8000),
  /** Name of the port on the Port 8000 Kubernetes Service that serves /metrics. */
  portName: dnsLabel.default("http"),
  metricsPath: path.default("/metrics"),
  healthPath: path.default("/health"),
  /** What the blackbox exporter probes (guide 3.1: curl https://port8000/health). */
  healthUrl: url,
  /** Labels of the Port 8000 Kubernetes Service, used by the ServiceMonitor. */
  selector: z.record(z.string(), z.string()).default({ app: "port8000" }),
  /** The app's endpoint that dumps a tracemalloc heap snapshot (guide 2.3). */
  heapSnapshotUrl: url,
});

export const sloSchema = z
  .strictObject({
    /** Availability objective on the 5xx share (guide 1.3: SLO 99.5%). */
    availability: z.number().gt(0.9).lt(1).default(0.995),
    window: duration.default("30d"),
  })
  .prefault({});

export const alertingSchema = z
  .strictObject({
    pagerduty: z
      .strictObject({ url: url.default("https://events.pagerduty.com/v2/enqueue") })
      .prefault({}),
    sns: z
      .strictObject({
        region: text,
        topicArn: z
          .string()
          .regex(/^arn:aws:sns:/, "expected an SNS topic ARN")
          .optional(),
        phoneNumbers: z
          .array(z.string().regex(/^\+\d{6,15}$/, "expected E.164 (+15551234567)"))
          .default([]),
        /** Only the local stack points this at a sink. */
        apiUrl: url.optional(),
      })
      .refine((s) => Boolean(s.topicArn) || s.phoneNumbers.length > 0, {
        message: "set topicArn or at least one of phoneNumbers",
      }),
    slack: z.strictObject({
      channel: z.string().regex(/^#[\w.-]+$/, 'expected a channel like "#deia-ops"'),
    }),
    email: z.strictObject({
      to: z.array(email).min(1, "needs at least one recipient"),
      from: email,
      smarthost: z.string().regex(/^[^\s:]+:\d+$/, 'expected "host:port"'),
      authUsername: text.optional(),
      requireTls: z.boolean().default(true),
    }),
    automation: z
      .strictObject({
        /** Where Alertmanager posts; unset means the in-cluster automation service. */
        url: url.optional(),
        port: port.default(8080),
        /** Node 24 runs the service's TypeScript unbuilt (type stripping). */
        image: pinnedImage.default(AUTOMATION_IMAGE),
        logRotationCommand: z.array(text).default(["logrotate", "-f", "/etc/logrotate.d/port8000"]),
        /** Image of the log-rotation Job: it only needs `chroot` to run the node's logrotate. */
        logRotationImage: pinnedImage.default(LOG_ROTATION_IMAGE),
      })
      .prefault({}),
    criticalGroupWait: duration.default("5s"),
    digestInterval: duration.default("1h"),
    /** Webhook behind `log-only`; unset: the in-cluster automation service's /log-only. */
    logOnlyUrl: url.optional(),
    /** Reason to deploy while the HostDiskSpaceLow deploy freeze holds (break glass, logged). */
    deployFreezeOverride: text.optional(),
  })
  .describe("where alerts are sent");

export const linksSchema = z.strictObject({
  grafanaUrl: url,
  opensearchDashboardsUrl: url,
  /** Base URL under which docs/runbooks/ is browsable. */
  runbookBaseUrl: url,
});

const logSource = z.strictObject({
  name: dnsLabel,
  kind: z.enum(["flask-access", "nginx-access", "json", "journald"]),
  paths: z.array(text).default([]),
});

export const loggingSchema = z
  .strictObject({
    /** Namespace of the log pipeline (Logstash and its exporter). */
    namespace: dnsLabel.default("logging"),
    indexPrefix: dnsLabel.default("port8000"),
    sources: z
      .array(logSource)
      .min(1)
      .default([
        { name: "flask-access", kind: "flask-access", paths: ["/var/log/port8000/access.log"] },
        { name: "orchestrator", kind: "json", paths: [".deia/bot-logs/*.jsonl"] },
        { name: "bot-health", kind: "json", paths: [".deia/bot-logs/bot_health_monitor*.log"] },
        { name: "system-journal", kind: "journald", paths: [] },
      ]),
    /** Days in each tier (guide 1.2): hot, then warm, then the S3 archive. */
    retention: z
      .strictObject({
        hotDays: positiveInt.default(30),
        warmDays: positiveInt.default(60),
        archiveDays: positiveInt.default(180),
      })
      .prefault({}),
    opensearchNodes: positiveInt.default(3),
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
  });

const storageClassName = z.enum([
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER_IR",
  "GLACIER",
  "DEEP_ARCHIVE",
]);

const bucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "expected an S3 bucket name");

export const archiveSchema = z
  .strictObject({
    bucketName,
    /** Transitions inside the archive; objects expire after logging.retention.archiveDays. */
    tiers: z
      .array(z.strictObject({ afterDays: positiveInt, storageClass: storageClassName }))
      .default([
        { afterDays: 30, storageClass: "STANDARD_IA" },
        { afterDays: 90, storageClass: "GLACIER" },
      ]),
    /**
     * The replica in the standby region: this stack creates it (protected, versioned) and
     * replicates every object to it, so the first deploy needs nothing from another stack.
     */
    replicateTo: z.strictObject({ bucketName: bucketName, region: text }).optional(),
    /** The bucket exists already (the prod stack's replica): use it, create and change nothing. */
    existing: z.boolean().default(false),
  })
  .superRefine((a, ctx) => {
    a.tiers.forEach((tier, i) => {
      if (i > 0 && tier.afterDays <= a.tiers[i - 1].afterDays) {
        ctx.addIssue({
          code: "custom",
          path: ["tiers", i, "afterDays"],
          message: `must be after the previous tier (${a.tiers[i - 1].afterDays})`,
        });
      }
      if (tier.storageClass.endsWith("_IA") && tier.afterDays < 30) {
        ctx.addIssue({
          code: "custom",
          path: ["tiers", i, "afterDays"],
          message: `S3 allows ${tier.storageClass} only after 30 days (got ${tier.afterDays})`,
        });
      }
    });
  });

export const grafanaSchema = z.strictObject({
  url,
  /** Guide 1.4: nested folders, parent first. */
  folder: z.array(text).min(1).default(["Port 8000", "Production"]),
  teamMembership: teamMembershipSchema,
});

const team = z.strictObject({
  name: dnsLabel,
  members: z.array(email).default([]),
  /** Guide 1.4: edit rights for Ops/SRE only, read-only for leadership. */
  grafana: z.enum(["none", "viewer", "editor", "admin"]),
  /** Guide 1.2: operations.read at least; streaming queries for on-call. */
  opensearch: z.enum(["none", "read", "stream", "admin"]),
  kubernetes: z.enum(["none", "view", "edit", "admin"]),
  aws: z.enum(["none", "archive-read", "archive-restore", "admin"]),
});

export const rbacSchema = z
  .strictObject({ teams: z.array(team).min(1, "needs at least one team") })
  .superRefine((r, ctx) => {
    const names = r.teams.map((t) => t.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i)
        ctx.addIssue({
          code: "custom",
          path: ["teams", i, "name"],
          message: `duplicate team "${n}"`,
        });
    });
  });

export const haSchema = z
  .strictObject({
    prometheusReplicas: positiveInt.default(2),
    alertmanagerReplicas: positiveInt.default(3),
    automationReplicas: positiveInt.default(2),
  })
  .prefault({});

export const storageSchema = z
  .strictObject({
    prometheus: z
      .strictObject({ size: quantity.default("100Gi"), retention: duration.default("15d") })
      .prefault({}),
    alertmanager: z.strictObject({ size: quantity.default("5Gi") }).prefault({}),
    opensearch: z.strictObject({ size: quantity.default("200Gi") }).prefault({}),
  })
  .prefault({});

export const stackConfigSchema = z.strictObject({
  deployment: deploymentSchema,
  cluster: clusterSchema,
  service: serviceSchema,
  thresholds: thresholdsSchema,
  slo: sloSchema,
  alerting: alertingSchema,
  links: linksSchema,
  logging: loggingSchema,
  archive: archiveSchema,
  grafana: grafanaSchema,
  dashboards: dashboardsSchema,
  rbac: rbacSchema,
  identity: identitySchema,
  ha: haSchema,
  storage: storageSchema,
});

export type StackConfig = z.output<typeof stackConfigSchema>;
export const CONFIG_SECTIONS = Object.keys(stackConfigSchema.shape) as (keyof StackConfig)[];
