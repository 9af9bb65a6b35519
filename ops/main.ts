import { runOps } from "./cli";

/** `npm run ops`: runOps (ops/cli.ts) with this process's arguments, streams and environment. */

runOps(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}).then((code) => process.exit(code));
