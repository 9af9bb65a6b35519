import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { scaleDuration } from "../lib/duration";
import { BUILD_HINT, localServerCommand } from "../lib/tools";
import { address, httpUrl, type Ports } from "./ports";
import type { RenderedFiles } from "./render";
import type { ChildSpec } from "./supervisor";

/** Command lines of the real binaries, every one bound to loopback, every state under DIR. */

export const ChildName = {
  nodeExporter: "node-exporter",
  blackboxExporter: "blackbox-exporter",
  alertmanager: "alertmanager",
  prometheus: "prometheus",
} as const;
export type ChildName = (typeof ChildName)[keyof typeof ChildName];

export interface ChildContext {
  readonly stateDir: string;
  readonly ports: Ports;
  readonly files: RenderedFiles;
  readonly timeScale: number;
  /** Extra node exporter flags (tests point it at a fixture host with --path.procfs). */
  readonly nodeExporterArgs?: readonly string[];
}

function dataDir(ctx: ChildContext, name: string): string {
  const dir = join(ctx.stateDir, "data", name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function logFile(ctx: ChildContext, name: string): string {
  mkdirSync(join(ctx.stateDir, "logs"), { recursive: true });
  return join(ctx.stateDir, "logs", `${name}.log`);
}

function nodeExporter(ctx: ChildContext): ChildSpec {
  const port = ctx.ports.nodeExporter;
  return {
    name: ChildName.nodeExporter,
    command: "prometheus-node-exporter",
    args: [`--web.listen-address=${address(port)}`, ...(ctx.nodeExporterArgs ?? [])],
    readyUrl: `${httpUrl(port)}/metrics`,
    port,
    logFile: logFile(ctx, ChildName.nodeExporter),
  };
}

function blackboxExporter(ctx: ChildContext): ChildSpec {
  const port = ctx.ports.blackboxExporter;
  return {
    name: ChildName.blackboxExporter,
    command: "prometheus-blackbox-exporter",
    args: [`--web.listen-address=${address(port)}`, `--config.file=${ctx.files.blackboxConfig}`],
    readyUrl: `${httpUrl(port)}/-/healthy`,
    port,
    logFile: logFile(ctx, ChildName.blackboxExporter),
  };
}

function alertmanager(ctx: ChildContext): ChildSpec {
  const port = ctx.ports.alertmanager;
  return {
    name: ChildName.alertmanager,
    command: localServerCommand("alertmanager").command,
    installHint: BUILD_HINT,
    args: [
      `--config.file=${ctx.files.alertmanagerConfig}`,
      // Notification log and silences survive a restart: no duplicate page after one.
      `--storage.path=${dataDir(ctx, "alertmanager")}`,
      `--web.listen-address=${address(port)}`,
      `--web.external-url=${httpUrl(port)}`,
      "--cluster.listen-address=",
    ],
    readyUrl: `${httpUrl(port)}/-/ready`,
    port,
    logFile: logFile(ctx, ChildName.alertmanager),
    // SNS requests are SigV4-signed even against the sink; these fake keys sign them.
    env: {
      AWS_ACCESS_KEY_ID: "local-fake-access-key",
      AWS_SECRET_ACCESS_KEY: "local-fake-secret-key",
      AWS_EC2_METADATA_DISABLED: "true",
    },
  };
}

function prometheus(ctx: ChildContext): ChildSpec {
  const port = ctx.ports.prometheus;
  const scaled = (d: string) => scaleDuration(d, ctx.timeScale);
  return {
    name: ChildName.prometheus,
    command: localServerCommand("prometheus").command,
    installHint: BUILD_HINT,
    args: [
      `--config.file=${ctx.files.prometheusConfig}`,
      `--storage.tsdb.path=${dataDir(ctx, "prometheus")}`,
      "--storage.tsdb.retention.time=2d",
      // The Thanos sidecar uploads 2h blocks as they are cut; Prometheus must not merge them.
      "--storage.tsdb.min-block-duration=2h",
      "--storage.tsdb.max-block-duration=2h",
      `--web.listen-address=${address(port)}`,
      `--web.external-url=${httpUrl(port)}`,
      "--web.enable-lifecycle",
      // The ops CLI's weekly backup check snapshots through the admin API (docs/architecture.md).
      "--web.enable-admin-api",
      // Prometheus's own alerting clocks, scaled like every `for:` (defaults 1m and 10m). An
      // alert stays valid in Alertmanager for 4 resend delays; 3 s floors that at 12 s, so a
      // restart (a few real seconds, not scaled) does not resolve and re-page an incident.
      `--rules.alert.resend-delay=${scaleDuration("1m", ctx.timeScale, 3000)}`,
      `--rules.alert.for-grace-period=${scaled("10m")}`,
    ],
    readyUrl: `${httpUrl(port)}/-/ready`,
    port,
    logFile: logFile(ctx, ChildName.prometheus),
  };
}

/** Start order: what is scraped or notified comes up before what scrapes or notifies. */
export function childSpecs(ctx: ChildContext): ChildSpec[] {
  return [nodeExporter(ctx), blackboxExporter(ctx), alertmanager(ctx), prometheus(ctx)];
}
