import { resolve } from "node:path";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { expectedAccess } from "../components/access/matrix";
import { parseDurationMs } from "../lib/duration";
import { type Check, exitCode, toJson, toTable } from "./checks";
import { daily } from "./daily";
import { AlertmanagerApi, PrometheusApi, Unreachable } from "./http";
import { kubeTargetOf, readExpectedAccess } from "./kube-access";
import { DEFAULT_LOAD_DURATION_S, loadCheck, runLoadTest, writeLoadReport } from "./loadtest";
import { DEFAULT_MONTHLY_DIR, monthly } from "./monthly";
import { notifySlack, uploadReports } from "./notify";
import { quarterly } from "./quarterly";
import { loadRegistry } from "./registry";
import { readStackConfig } from "./stack-config";
import { runCommandIn } from "./vulns";
import { weekly } from "./weekly";

/**
 * `npm run ops -- daily|weekly|monthly|quarterly --prometheus URL --alertmanager URL [--json]
 * [--out DIR]` (docs/architecture.md, Commands): the guide's section 3 checklists against live
 * servers. Exit 0 all pass, 1 a check failed, 2 bad usage or a server that cannot be used.
 * runOps is the whole command; ops/main.ts only hands it the process's arguments and streams.
 */

/** Where a run prints and what environment it reads (GRAFANA_TOKEN, AWS_*, PATH, KUBERNETES_*). */
export interface OpsIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: NodeJS.ProcessEnv;
}

/** One run's output and environment, with its progress lines on stderr. */
interface Session extends OpsIo {
  readonly say: (line: string) => void;
}

type Routine = "daily" | "weekly" | "monthly" | "quarterly";
const GUIDE: Record<Routine, string> = {
  daily: "3.1",
  weekly: "3.2",
  monthly: "3.3",
  quarterly: "3.4",
};

interface Options {
  readonly prometheus: string;
  readonly alertmanager: string;
  readonly json?: boolean;
  readonly out: string;
  readonly registry?: string;
  readonly loadTest?: boolean;
  readonly duration?: number;
  readonly target?: string;
  readonly connections?: number;
  readonly rate?: number;
  readonly vulnerabilityReviewInCi?: string;
  readonly stackFile?: string;
  readonly expectedAccess?: string;
  readonly kubernetes?: string;
  readonly grafana?: string;
  readonly slackWebhookFile?: string;
  readonly uploadBucket?: string;
  readonly uploadPrefix: string;
}

class Usage extends Error {}

function httpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError("expected an http(s) URL such as http://127.0.0.1:19090");
  }
  if (!["http:", "https:"].includes(url.protocol)) {
    throw new InvalidArgumentError("expected an http(s) URL such as http://127.0.0.1:19090");
  }
  return value.replace(/\/+$/, "");
}

function durationSeconds(value: string): number {
  let ms: number;
  try {
    ms = parseDurationMs(value);
  } catch {
    throw new InvalidArgumentError('expected a duration such as "30m", "90s" or "1h"');
  }
  if (ms < 1000) throw new InvalidArgumentError("must be at least 1s");
  return Math.round(ms / 1000);
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

/** Flag combinations commander cannot express; checked before any server is asked. */
function usageProblems(routine: Routine, o: Options): string | undefined {
  if (o.stackFile && o.expectedAccess)
    return "ops: give the grants once: --stack-file or --expected-access";
  if (o.kubernetes && !o.stackFile && !o.expectedAccess)
    return "ops: --kubernetes compares with the config's grants: add --stack-file or --expected-access";
  if (routine !== "monthly") return undefined;
  if (!o.loadTest && (o.duration !== undefined || o.target || o.connections || o.rate))
    return "ops: --duration, --target, --connections and --rate belong to --load-test";
  if (o.loadTest && !o.target) return "ops: --load-test needs --target URL (what to load)";
  return undefined;
}

async function checksOf(
  routine: Routine,
  o: Options,
  io: Session,
  [prom, am]: [PrometheusApi, AlertmanagerApi],
) {
  const { say, env } = io;
  const now = Math.floor(Date.now() / 1000);
  const out = resolve(o.out);
  if (routine === "daily") return daily(prom, am, now, await loadRegistry(o.registry));
  if (routine === "weekly") return weekly(prom, now, say, am);
  if (routine === "quarterly")
    return quarterly(prom, now, {
      outDir: out,
      access: o.expectedAccess
        ? readExpectedAccess(o.expectedAccess)
        : o.stackFile
          ? expectedAccess(readStackConfig(o.stackFile))
          : undefined,
      kube: o.kubernetes ? kubeTargetOf(o.kubernetes, env) : undefined,
      grafanaUrl: o.grafana,
      grafanaToken: env.GRAFANA_TOKEN,
      root: resolve(__dirname, ".."),
      vulnerabilityReviewIn: o.vulnerabilityReviewInCi,
      run: runCommandIn(env),
    });
  const checks: Check[] = await monthly(prom, now, out);
  if (o.loadTest && o.target) {
    const duration = o.duration ?? DEFAULT_LOAD_DURATION_S;
    say(`  load test: ${o.target} for ${duration}s${o.rate ? ` at ${o.rate}/s` : ""}`);
    const result = await runLoadTest(o.target, duration, o.connections, o.rate);
    const report = writeLoadReport(out, result);
    const c = loadCheck(result);
    checks.push({ ...c, detail: `${c.detail}\n${report} (+ .json)` });
  }
  return checks;
}

async function run(routine: Routine, o: Options, io: Session): Promise<number> {
  const problem = usageProblems(routine, o);
  if (problem) throw new Usage(problem);
  const { say } = io;
  const prom = new PrometheusApi(o.prometheus, say);
  const am = new AlertmanagerApi(o.alertmanager);
  const { version } = await prom.buildInfo();
  await am.status();
  say(`ops ${routine}: Prometheus ${version} at ${prom.url}, Alertmanager at ${am.url}`);
  const checks = await checksOf(routine, o, io, [prom, am]);
  io.stdout.write(
    o.json ? toJson(checks) : toTable(`ops ${routine} (guide ${GUIDE[routine]})`, checks),
  );
  if (o.slackWebhookFile) await notifySlack(o.slackWebhookFile, routine, checks, say);
  if (o.uploadBucket)
    await uploadReports(resolve(o.out), o.uploadBucket, o.uploadPrefix, say, io.env);
  return exitCode(checks);
}

const NO_ROUTINE =
  "ops: name a routine: daily, weekly, monthly or quarterly (npm run ops -- --help)";

/** Commander's error text as one line; its help printed for a missing routine as one hint. */
function usageLine(text: string): string {
  if (text.startsWith("Usage:")) return NO_ROUTINE;
  return text
    .trim()
    .replace(/^error: /, "ops: ")
    .replace(/\s*\n\s*/g, " ");
}

function routineCommand(cli: Command, name: Routine, what: string, session: Started) {
  const cmd = cli
    .command(name)
    .description(what)
    .requiredOption("--prometheus <url>", "Prometheus base URL", httpUrl)
    .requiredOption("--alertmanager <url>", "Alertmanager base URL", httpUrl)
    .option("--json", 'print {"checks":[{"name","status","detail"}]}')
    .addOption(new Option("--out <dir>", "where reports are written").default(DEFAULT_MONTHLY_DIR))
    .option(
      "--slack-webhook-file <path>",
      "post a summary (failing checks by name) to this Slack webhook",
    )
    .option(
      "--upload-bucket <name>",
      "copy the reports in --out to this S3 bucket (IRSA credentials)",
    )
    .addOption(
      new Option("--upload-prefix <prefix>", "key prefix of the upload").default(
        "metrics/monthly/",
      ),
    )
    .exitOverride();
  if (name === "daily")
    cmd.option(
      "--registry <file-or-url>",
      "expected bots: a JSON list, or Port 8000's registry endpoint",
    );
  if (name === "monthly")
    cmd
      .option("--load-test", "add the guide's synthetic load test (autocannon)")
      .option("--duration <duration>", "load test length (default 30m)", durationSeconds)
      .option("--target <url>", "what the load test requests", httpUrl)
      .option("--connections <n>", "concurrent connections (default 10)", positive)
      .option(
        "--rate <n>",
        "requests per second over all connections (default: unthrottled)",
        positive,
      );
  if (name === "quarterly")
    cmd
      .option("--stack-file <path>", "the stack file whose access grants are reviewed")
      .option("--expected-access <file>", "the grants as the program renders them (the CronJob's)")
      .option(
        "--kubernetes <in-cluster|kubeconfig>",
        "read the RoleBindings and ClusterRoleBindings live and compare them with the grants",
      )
      .option("--grafana <url>", "read Grafana's teams live (token in GRAFANA_TOKEN)", httpUrl)
      .option(
        "--vulnerability-review-in-ci <where>",
        "skip npm audit and govulncheck (no npm or Go here) and name where they run instead",
      );
  cmd.action((options: Options) => session.start(name, options));
}

/** The routine commander chose, started with this run's session. */
interface Started {
  start(routine: Routine, options: Options): void;
}

function program(io: Session, session: Started): Command {
  const cli = new Command("ops")
    .description("the operations guide's maintenance checklists (section 3) against live servers")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.say(usageLine(text)),
    });
  routineCommand(
    cli,
    "daily",
    "3.1: scrape errors, alerts of the last 24h, /health, log volume, bots, bot registry",
    session,
  );
  routineCommand(
    cli,
    "weekly",
    "3.2: alert noise and duplicates, queue vs bot capacity, snapshot restored, hand-over",
    session,
  );
  routineCommand(
    cli,
    "monthly",
    "3.3: trends with a report and charts; --load-test for the synthetic load test",
    session,
  );
  routineCommand(
    cli,
    "quarterly",
    "3.4: capacity projections, access review, dependency vulnerabilities",
    session,
  );
  return cli;
}

/** The exit code of `npm run ops -- <argv>`; never exits the process or touches its streams. */
export async function runOps(argv: readonly string[], io: OpsIo): Promise<number> {
  const session: Session = { ...io, say: (line) => io.stderr.write(`${line}\n`) };
  let pending: Promise<number> | undefined;
  const cli = program(session, {
    start: (routine, options) => {
      pending = run(routine, options, session);
    },
  });
  try {
    cli.parse([...argv], { from: "user" });
    if (!pending) {
      session.say(NO_ROUTINE);
      return 2;
    }
    return await pending;
  } catch (err) {
    return failure(err, session.say);
  }
}

/** 0 for --help, 2 for usage and servers that cannot be used, 1 for anything else. */
function failure(err: unknown, say: (line: string) => void): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  say(
    err instanceof Usage ? err.message : `ops: ${err instanceof Error ? err.message : String(err)}`,
  );
  return err instanceof Unreachable || err instanceof Usage ? 2 : 1;
}
