/** Flags of `npm run synth`; a wrong flag is an error that names it. */

export interface SynthArgs {
  readonly stack: string;
  readonly out: string;
  readonly configFile: string;
  readonly timeScale: number;
}

export class UsageError extends Error {}

export const SYNTH_USAGE =
  "usage: npm run synth -- --stack NAME [--out DIR] [--config-file PATH] [--time-scale K]";

export function parseSynthArgs(argv: readonly string[]): SynthArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    if (!["--stack", "--out", "--config-file", "--time-scale"].includes(flag)) {
      throw new UsageError(`unknown argument "${flag}"\n${SYNTH_USAGE}`);
    }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith("--"))
      throw new UsageError(`${flag} needs a value\n${SYNTH_USAGE}`);
    values.set(flag, value);
    i += 1;
  }
  const stack = values.get("--stack");
  if (!stack) throw new UsageError(`--stack is required\n${SYNTH_USAGE}`);
  if (!/^[A-Za-z0-9_.-]+$/.test(stack))
    throw new UsageError(`--stack "${stack}" is not a valid stack name`);
  const timeScale = Number(values.get("--time-scale") ?? "1");
  if (!Number.isFinite(timeScale) || timeScale < 1) {
    throw new UsageError(
      `--time-scale must be a number >= 1 (got "${values.get("--time-scale")}")`,
    );
  }
  return {
    stack,
    out: values.get("--out") ?? `out/${stack}`,
    configFile: values.get("--config-file") ?? `Pulumi.${stack}.yaml`,
    timeScale,
  };
}
