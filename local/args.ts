import { DEFAULT_PORT_BASE, PORT_SPAN } from "./ports";

/** Flags of `npm run local` (docs/architecture.md, Commands); a bad flag is an error naming it. */

export interface LocalArgs {
  readonly stateDir: string;
  readonly portBase: number;
  readonly timeScale: number;
  readonly bots: number;
}

export class UsageError extends Error {}

export const LOCAL_USAGE =
  "usage: npm run local -- [--state DIR] [--port-base N] [--time-scale K] [--bots N]";

const DEFAULTS: LocalArgs = {
  stateDir: ".local",
  portBase: DEFAULT_PORT_BASE,
  timeScale: 1,
  bots: 8,
};

type Parse = (flag: string, value: string) => Partial<LocalArgs>;

function integer(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max} (got "${value}")`);
  }
  return n;
}

const FLAGS: Record<string, Parse> = {
  "--state": (_flag, value) => ({ stateDir: value }),
  "--port-base": (flag, value) => ({ portBase: integer(flag, value, 1024, 65535 - PORT_SPAN) }),
  "--time-scale": (flag, value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 1 || n > 3600) {
      throw new UsageError(`${flag} must be a number from 1 to 3600 (got "${value}")`);
    }
    return { timeScale: n };
  },
  "--bots": (flag, value) => ({ bots: integer(flag, value, 1, 100_000) }),
};

export function parseLocalArgs(argv: readonly string[]): LocalArgs {
  let args: LocalArgs = DEFAULTS;
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const parse = FLAGS[flag];
    if (!parse) throw new UsageError(`unknown option "${flag}"\n${LOCAL_USAGE}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === "" || (inline === undefined && value.startsWith("--"))) {
      throw new UsageError(`${flag} needs a value\n${LOCAL_USAGE}`);
    }
    args = { ...args, ...parse(flag, value) };
  }
  return args;
}
