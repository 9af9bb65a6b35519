import { runLocal } from "./cli";

/** `npm run local`: runLocal (local/cli.ts) with this process's arguments, streams and signals. */

runLocal(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  onStopRequest: (stop) => {
    const ctrlC = () => stop("Ctrl-C");
    const term = () => stop("SIGTERM");
    process.on("SIGINT", ctrlC);
    process.on("SIGTERM", term);
    return () => {
      process.off("SIGINT", ctrlC);
      process.off("SIGTERM", term);
    };
  },
}).then((code) => process.exit(code));
