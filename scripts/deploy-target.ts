import { join, resolve } from "node:path";
import { fromEngineConfig, parseStackConfig } from "../components/config/parse";
import type { StackConfig } from "../components/config/schema";
import { readStackFile, StackFileError } from "./stack-file";

/**
 * `npx tsx scripts/deploy-target.ts --stack NAME`: the EKS target of a deployed stack, from its
 * stack file, as `key=value` lines for $GITHUB_OUTPUT (the workflows' `aws eks
 * update-kubeconfig` and AWS region). Exit 2, naming the problem, on a bad stack or usage.
 */

const USAGE = "usage: npx tsx scripts/deploy-target.ts --stack NAME";
const ROOT = resolve(__dirname, "..");

export interface DeployTarget {
  readonly region: string;
  readonly cluster: string;
  readonly context: string;
}

export function deployTarget(stack: string, config: StackConfig): DeployTarget {
  const { region, environment } = config.deployment;
  const { name, context } = config.cluster;
  if (environment === "local" || !name || !context) {
    throw new Error(
      `stack "${stack}" (${environment}) has no EKS target: set cluster.name and cluster.context`,
    );
  }
  return { region, cluster: name, context };
}

function main(argv: readonly string[]): string {
  if (argv.length !== 2 || argv[0] !== "--stack" || !/^[\w.-]+$/.test(argv[1]))
    throw new Error(USAGE);
  const stack = argv[1];
  const file = readStackFile(join(ROOT, `Pulumi.${stack}.yaml`));
  const { raw, secrets } = fromEngineConfig(file.config, file.secretKeys);
  const parsed = parseStackConfig(raw, secrets);
  if (!parsed.ok) throw new Error(`stack "${stack}": ${parsed.problems.join("; ")}`);
  const target = deployTarget(stack, parsed.config);
  return `region=${target.region}\ncluster=${target.cluster}\ncontext=${target.context}\n`;
}

if (require.main === module) {
  try {
    process.stdout.write(main(process.argv.slice(2)));
  } catch (error) {
    const message =
      error instanceof StackFileError || error instanceof Error ? error.message : error;
    process.stderr.write(`deploy-target: ${message}\n`);
    process.exit(2);
  }
}
