import { resolve } from "node:path";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { type Check, exitCode, toJson, toTable } from "./checks";
import { daily } from "./daily";
import { AlertmanagerApi, PrometheusApi, Unreachable } from "./http";
import { DEFAULT_MONTHLY_DIR, monthly } from "./monthly";
import { weekly } from "./weekly";

/**
 * `npm run ops -- daily|weekly|monthly --prometheus URL --alertmanager URL [--json] [--out DIR]`
 * (docs/architecture.md, Commands): the guide's section 3 checklists against live servers.
 * Exit 0 all pass, 1 a check failed, 2 bad usage or a server that cannot be used.
 */

type Routine = "daily" | "weekly" | "monthly";

interface Options {
  readonly prometheus: string;
  readonly alertmanager: string;
  readonly json?: boolean;
  readonly out: string;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

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

async function run(routine: Routine, options: Options): Promise<number> {
  const prom = new PrometheusApi(options.prometheus, say);
  const am = new AlertmanagerApi(options.alertmanager);
  const { version } = await prom.buildInfo();
  await am.status();
  say(`ops ${routine}: Prometheus ${version} at ${prom.url}, Alertmanager at ${am.url}`);
  const now = Math.floor(Date.now() / 1000);
  const checks: Check[] =
    routine === "daily"
      ? await daily(prom, am, now)
      : routine === "weekly"
        ? await weekly(prom, now, say)
        : await monthly(prom, now, resolve(options.out));
  process.stdout.write(
    options.json
      ? toJson(checks)
      : toTable(
          `ops ${routine} (guide 3.${["daily", "weekly", "monthly"].indexOf(routine) + 1})`,
          checks,
        ),
  );
  return exitCode(checks);
}

const NO_ROUTINE = "ops: name a routine: daily, weekly or monthly (npm run ops -- --help)";

/** Commander's error text as one line; its help printed for a missing routine as one hint. */
function usageLine(text: string): string {
  if (text.startsWith("Usage:")) return NO_ROUTINE;
  return text
    .trim()
    .replace(/^error: /, "ops: ")
    .replace(/\s*\n\s*/g, " ");
}

function program(done: (code: Promise<number>) => void): Command {
  const cli = new Command("ops")
    .description("the operations guide's maintenance checklists (section 3) against live servers")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ writeErr: (text) => say(usageLine(text)) });
  const routines: [Routine, string][] = [
    ["daily", "3.1: scrape errors, alerts of the last 24h, /health, log volume, bots"],
    ["weekly", "3.2: alert noise, queue vs bot capacity, snapshot backup restored"],
    ["monthly", "3.3: p95 latency, error rate, queue and headroom trends, report with charts"],
  ];
  for (const [name, what] of routines) {
    cli
      .command(name)
      .description(what)
      .requiredOption("--prometheus <url>", "Prometheus base URL", httpUrl)
      .requiredOption("--alertmanager <url>", "Alertmanager base URL", httpUrl)
      .option("--json", 'print {"checks":[{"name","status","detail"}]}')
      .addOption(
        new Option("--out <dir>", "where monthly writes its report").default(DEFAULT_MONTHLY_DIR),
      )
      .exitOverride()
      .action((options: Options) => done(run(name, options)));
  }
  return cli;
}

async function main(argv: string[]): Promise<number> {
  let pending: Promise<number> | undefined;
  const cli = program((code) => {
    pending = code;
  });
  try {
    cli.parse(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  if (!pending) {
    say(NO_ROUTINE);
    return 2;
  }
  return pending;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(`ops: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(err instanceof Unreachable ? 2 : 1);
  },
);
