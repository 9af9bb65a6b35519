import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { runGo, writableModuleCopy } from "../lib/go";
import { pinnedModuleVersions, ROOT_DIR, TOOLS_MODULE_DIR } from "../lib/tools";

/**
 * The replay engine: backtest/engine/*.go, a small command over Prometheus' own `rules`,
 * `promql` and `tsdb` packages, compiled inside the pinned Prometheus module (the same source
 * and dependency versions as the deployed Prometheus and the promtool the tests run) into the
 * git-ignored .local/backtest. Rebuilt when its source or the Prometheus pin changes; Go's build
 * cache makes that a link step once `npm run tools` has built Prometheus.
 */

const PROMETHEUS_MODULE = "github.com/prometheus/prometheus";
const ENGINE_SOURCE = join(__dirname, "engine");
export const BACKTEST_DIR = join(ROOT_DIR, ".local", "backtest");
export const ENGINE_BIN = join(BACKTEST_DIR, "bin", "port8000-backtest");
const STAMP = `${ENGINE_BIN}.stamp`;

function goFiles(): string[] {
  return readdirSync(ENGINE_SOURCE)
    .filter((f) => f.endsWith(".go"))
    .sort();
}

function sourceStamp(version: string): string {
  const hash = createHash("sha256").update(version);
  for (const file of goFiles()) hash.update(file).update(readFileSync(join(ENGINE_SOURCE, file)));
  return hash.digest("hex");
}

/** A writable copy of the pinned Prometheus module, for the engine's command directory. */
function prometheusSource(version: string): string {
  const copy = join(BACKTEST_DIR, "src", `prometheus@${version}`);
  return writableModuleCopy(PROMETHEUS_MODULE, version, TOOLS_MODULE_DIR, copy);
}

/** Builds the engine when missing or stale; returns its path. */
export function ensureEngine(log: (line: string) => void = () => {}): string {
  const version = pinnedModuleVersions()[PROMETHEUS_MODULE];
  if (!version) throw new Error(`tools/go/go.mod does not require ${PROMETHEUS_MODULE}`);
  const stamp = sourceStamp(version);
  if (existsSync(ENGINE_BIN) && existsSync(STAMP) && readFileSync(STAMP, "utf8") === stamp) {
    return ENGINE_BIN;
  }
  log(`building the replay engine against ${PROMETHEUS_MODULE}@${version}`);
  const source = prometheusSource(version);
  const target = join(source, "cmd", "port8000-backtest");
  // Emptied first: a file renamed or removed from backtest/engine would otherwise stay in a
  // cached copy (CI restores .local/backtest) and break the build with duplicate declarations.
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const file of goFiles()) cpSync(join(ENGINE_SOURCE, file), join(target, file));
  mkdirSync(join(BACKTEST_DIR, "bin"), { recursive: true });
  runGo(["build", "-trimpath", "-o", ENGINE_BIN, "./cmd/port8000-backtest"], source);
  writeFileSync(STAMP, stamp);
  return ENGINE_BIN;
}

if (require.main === module) {
  process.stdout.write(`${ensureEngine((line) => process.stderr.write(`backtest: ${line}\n`))}\n`);
}
