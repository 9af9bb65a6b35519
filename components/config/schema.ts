import { z } from "zod";
import { parseDurationMs } from "../../lib/duration";
import { dashboardsSchema } from "./dashboards";
import { escalationSchema } from "./escalation";
import { teamMembershipSchema, teamSyncSchema } from "./grafana-teams";
import { identitySchema } from "./identity";
import { AUTOMATION_IMAGE, LOG_ROTATION_IMAGE, pinnedImage } from "./images";
import { loggingSchema } from "./logging";
import { longTermMetricsSchema } from "./long-term-metrics";
import { maintenanceSchema } from "./maintenance";
import { opsSchema } from "./ops";
import {
  dnsLabel,
  duration,
  email,
  path,
  port,
  positiveInt,
  quantity,
  text,
  url,
} from "./primitives";
import { publicIngressSchema } from "./public-ingress";
import { thresholdsSchema } from "./thresholds";

/** One schema for everything the operations guide configures. Pure: no Pulumi here. */

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
  /**
   * Port 8000's bot registry endpoint on the Service (guide 3.1 bot registry audit): answers
   * ["bot-1", …], [{"name": …}] or {"bots": […]}; the daily checklist audits against it.
   */
  registryPath: path.default("/registry"),
  /** What the blackbox exporter probes (guide 3.1: curl https://port8000/health). */
  healthUrl: url,
  /** Labels of the Port 8000 Kubernetes Service, used by the ServiceMonitor. */
  selector: z.record(z.string(), z.string()).default({ app: "port8000" }),
  /** The app's endpoint that dumps a tracemalloc heap snapshot (guide 2.3). */
  heapSnapshotUrl: url,
  /**
   * The public HTTPS endpoint users reach (guide 4.4: certificate status). When set, the
   * blackbox exporter probes it from inside the cluster and its certificate expiry alerts.
   */
  publicUrl: z.url({ protocol: /^https$/, message: "expected an https:// URL" }).optional(),
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
        /** The public path of PagerDuty's webhooks (components/config/public-ingress.ts). */
        publicIngress: publicIngressSchema.optional(),
        /** Node 24 runs the service's TypeScript unbuilt (type stripping). */
        image: pinnedImage.default(AUTOMATION_IMAGE),
        logRotationCommand: z.array(text).default(["logrotate", "-f", "/etc/logrotate.d/port8000"]),
        /** Image of the log-rotation Job: it only needs `chroot` to run the node's logrotate. */
        logRotationImage: pinnedImage.default(LOG_ROTATION_IMAGE),
        /** At most one controlled restart of Port 8000 (critical memory leak) per this window. */
        restartCooldown: duration
          .refine((d) => parseDurationMs(d) > 0, "must be longer than 0s")
          .default("1h"),
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
  teamSync: teamSyncSchema.optional(),
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
  /** Required for deployed stacks (rules.ts); the local stack pages sinks with plain keys. */
  escalation: escalationSchema.optional(),
  maintenance: maintenanceSchema,
  /** The checklists' CronJobs and the monthly load test (components/ops-schedule). */
  ops: opsSchema,
  longTermMetrics: longTermMetricsSchema,
});

export type StackConfig = z.output<typeof stackConfigSchema>;
export const CONFIG_SECTIONS = Object.keys(stackConfigSchema.shape) as (keyof StackConfig)[];
