import { join } from "node:path";
import { PROJECT } from "../../lib/conventions";
import { runProgram } from "../../scripts/mock-runtime";
import { readStackFile } from "../../scripts/stack-file";

/**
 * Child process of archive.test.ts: runs the dr stack as if prod had never created its replica
 * (the bucket lookup fails as the provider's does) and prints how the run ended. A failed run
 * leaves rejections behind, as `pulumi up` sees them; jest would pin those on the test itself.
 */

const ROOT = join(__dirname, "..", "..");
// The report carries error messages, not stacks: with tsx's source maps on, Node mapped every
// frame of the stack the Pulumi SDK captures for each promise it makes (a sixth of a run's CPU).
process.setSourceMapsEnabled(false);

async function main() {
  const file = readStackFile(join(ROOT, "Pulumi.dr.yaml"));
  process.on("unhandledRejection", () => undefined);
  await runProgram({
    project: PROJECT,
    stack: "dr",
    config: file.config,
    secretKeys: file.secretKeys,
    invoke: (args) => {
      if (args.token !== "aws:s3/getBucket:getBucket") return undefined;
      const message = `couldn't find resource: NotFound: Not Found (bucket ${args.inputs.bucket})`;
      throw Object.assign(new Error(message), { details: message });
    },
    load: async () => {
      const exports = require(join(ROOT, "index"));
      const bucket = exports.archiveBucket as { promise(): Promise<unknown> };
      const ended = await bucket.promise().then(
        (name) => ({ ok: true, detail: String(name) }),
        (error: Error) => ({ ok: false, detail: error.message }),
      );
      process.stdout.write(JSON.stringify(ended));
      process.exit(0);
    },
  });
}

main().catch((error) => {
  process.stderr.write(String(error?.stack ?? error));
  process.exit(1);
});
