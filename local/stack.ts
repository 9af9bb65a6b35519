import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Receiver } from "../lib/conventions";
import { type LocalAutomation, startLocalAutomation } from "./automation";
import { type ChildName, childSpecs } from "./children";
import { lockState } from "./lock";
import { httpUrl, LOOPBACK, type Ports, portsFrom } from "./ports";
import { asPortInUse, assertPortsFree } from "./preflight";
import { type RenderedFiles, renderLocalFiles } from "./render";
import { writeLocalSecrets } from "./secrets";
import { type Simulator, startSimulator } from "./simulator/server";
import { type HttpSinks, startHttpSinks } from "./sinks/http";
import { type SmtpSink, startSmtpSink } from "./sinks/smtp";
import { LOCAL_STACK_FILE, type LocalStackConfig, loadLocalStackConfig } from "./stack-config";
import { Supervisor } from "./supervisor";
import { thanosChildSpecs } from "./thanos";

/** The whole local stack, started and stopped from code (the CLI and the e2e tests share it). */

export interface LocalStackOptions {
  readonly stateDir: string;
  readonly portBase: number;
  readonly timeScale: number;
  readonly bots: number;
  readonly stackFile?: string;
  /** Extra node exporter flags (tests point it at a fixture host with --path.procfs). */
  readonly nodeExporterArgs?: readonly string[];
  /** One line per step while starting. */
  readonly progress?: (line: string) => void;
}

export interface ReadyFile {
  readonly prometheus: string;
  readonly alertmanager: string;
  readonly simulator: string;
  readonly sinks: string;
  /** Thanos Query over the sidecar and the filesystem bucket; absent when Thanos is not built. */
  readonly thanosQuery?: string;
  readonly timeScale: number;
}

export interface LocalStack {
  readonly stateDir: string;
  readonly ports: Ports;
  readonly urls: ReadyFile;
  readonly simulator: Simulator;
  readonly sinks: HttpSinks;
  readonly supervisor: Supervisor;
  restart(child: ChildName): Promise<void>;
  stop(): Promise<void>;
}

export const READY_FILE = "ready.json";

interface InProcess {
  automation?: LocalAutomation;
  simulator?: Simulator;
  sinks?: HttpSinks;
  smtp?: SmtpSink;
}

async function closeInProcess(parts: InProcess): Promise<void> {
  await Promise.all([
    parts.simulator?.close(),
    parts.sinks?.close(),
    parts.smtp?.close(),
    parts.automation?.server.close(),
  ]);
}

async function timed<T>(label: string, progress: (l: string) => void, step: () => Promise<T>) {
  const started = Date.now();
  progress(`  starting ${label} …`);
  const result = await step();
  progress(`  ${label} ready (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  return result;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const progress = options.progress ?? (() => {});
  const stateDir = resolve(options.stateDir);
  mkdirSync(stateDir, { recursive: true });
  const lock = lockState(stateDir);
  const ports = portsFrom(options.portBase);
  let local: LocalStackConfig;
  let files: RenderedFiles;
  try {
    await assertPortsFree(ports);
    rmSync(join(stateDir, READY_FILE), { force: true });
    progress(
      `rendering ${options.stackFile ?? LOCAL_STACK_FILE} (time scale ${options.timeScale})`,
    );
    local = loadLocalStackConfig(options.stackFile ?? LOCAL_STACK_FILE, options.portBase);
    files = renderLocalFiles(stateDir, local, ports, options.timeScale);
    writeLocalSecrets(stateDir, local);
  } catch (err) {
    lock.release();
    throw err;
  }

  const parts: InProcess = {};
  const supervisor = new Supervisor();
  let thanosQuery: string | undefined;
  try {
    parts.automation = await timed("automation service", progress, () =>
      startLocalAutomation(stateDir, local, ports.automation),
    );
    parts.sinks = await timed("sinks (PagerDuty, Slack, SNS, automation)", progress, () =>
      startHttpSinks({
        host: LOOPBACK,
        port: ports.sinks,
        stateDir,
        pagerdutyKeys: pagerdutyKeys(local.secrets),
        automationForward: parts.automation?.alertsUrl,
      }),
    );
    parts.smtp = await timed("SMTP sink (e-mail digest)", progress, () =>
      startSmtpSink({ host: LOOPBACK, port: ports.smtp, stateDir }),
    );
    parts.simulator = await timed(`simulator (${options.bots} bots)`, progress, () =>
      startSimulator({
        host: LOOPBACK,
        port: ports.simulator,
        bots: options.bots,
        timeScale: options.timeScale,
        heapSnapshotLog: join(stateDir, "automation", "heap-snapshots.jsonl"),
        logDir: join(stateDir, "logs"),
      }),
    );
    const children = [
      ...childSpecs({
        stateDir,
        ports,
        files,
        timeScale: options.timeScale,
        nodeExporterArgs: options.nodeExporterArgs,
      }),
      ...thanosChildSpecs({ stateDir, ports, config: local.config }),
    ];
    for (const spec of children) {
      await timed(spec.name, progress, () => supervisor.start(spec));
    }
    thanosQuery = children.some((c) => c.name === "thanos-query")
      ? httpUrl(ports.thanosQuery)
      : undefined;
  } catch (err) {
    await supervisor.stopAll();
    await closeInProcess(parts);
    lock.release();
    throw asPortInUse(err, ports);
  }

  const contract = {
    prometheus: httpUrl(ports.prometheus),
    alertmanager: httpUrl(ports.alertmanager),
    simulator: httpUrl(ports.simulator),
    sinks: httpUrl(ports.sinks),
    timeScale: options.timeScale,
  };
  // ready.json holds exactly the contract's keys (docs/architecture.md); callers in this
  // process also get Thanos Query's address.
  writeFileSync(join(stateDir, READY_FILE), `${JSON.stringify(contract, null, 2)}\n`);
  const urls: ReadyFile = { ...contract, ...(thanosQuery ? { thanosQuery } : {}) };

  let stopped = false;
  return {
    stateDir,
    ports,
    urls,
    simulator: parts.simulator as Simulator,
    sinks: parts.sinks as HttpSinks,
    supervisor,
    restart: (child) => supervisor.restart(child),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      rmSync(join(stateDir, READY_FILE), { force: true });
      await supervisor.stopAll();
      await closeInProcess(parts);
      lock.release();
    },
  };
}

function pagerdutyKeys(secrets: Partial<Record<string, string>>): Record<string, Receiver> {
  const keys: Record<string, Receiver> = {};
  if (secrets.pagerdutyRoutingKey) keys[secrets.pagerdutyRoutingKey] = Receiver.pagerdutyCritical;
  if (secrets.pagerdutyInfraLeadRoutingKey) {
    keys[secrets.pagerdutyInfraLeadRoutingKey] = Receiver.pagerdutyInfraLead;
  }
  return keys;
}
