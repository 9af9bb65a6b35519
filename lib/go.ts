import { spawnSync } from "node:child_process";
import { cpSync, existsSync } from "node:fs";
import { join } from "node:path";

/**
 * The Go toolchain as the repository's builds call it (the tools in .tools/bin and the backtest
 * engine): no workspace, no VCS stamping, static binaries.
 */
const GO_ENV = { ...process.env, GOWORK: "off", GOFLAGS: "-buildvcs=false", CGO_ENABLED: "0" };

/** Runs `go ARGS` in `cwd`; its stdout, or an error with its stderr. */
export function runGo(args: readonly string[], cwd: string): string {
  const result = spawnSync("go", args, { cwd, env: GO_ENV, encoding: "utf8", maxBuffer: 1 << 26 });
  if (result.error) throw new Error(`go ${args[0]}: ${result.error.message} (is Go installed?)`);
  if (result.status !== 0) throw new Error(`go ${args.join(" ")} failed:\n${result.stderr}`);
  return result.stdout;
}

/**
 * A writable copy of `module@version` at `copy` (the module cache is read-only), downloaded
 * through the module that pins it (`pinDir`) when the copy is not there yet.
 */
export function writableModuleCopy(
  module: string,
  version: string,
  pinDir: string,
  copy: string,
): string {
  if (!existsSync(join(copy, "go.mod"))) {
    const { Dir } = JSON.parse(
      runGo(["mod", "download", "-json", `${module}@${version}`], pinDir),
    ) as {
      Dir: string;
    };
    cpSync(Dir, copy, { recursive: true });
    spawnSync("chmod", ["-R", "u+w", copy]);
  }
  return copy;
}
