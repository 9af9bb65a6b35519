import { PORT_OFFSET, type PortName, type Ports } from "./ports";
import { portInUse } from "./supervisor";

/** Every port is checked before anything starts, so a clash leaves nothing running. */

export class PortInUse extends Error {
  constructor(
    readonly port: number,
    readonly what: string,
  ) {
    super(
      `port ${port} (${what}) is already in use; stop what uses it (another npm run local?) or pick another --port-base`,
    );
  }
}

export async function assertPortsFree(ports: Ports): Promise<void> {
  const names = Object.keys(PORT_OFFSET) as PortName[];
  const busy = await Promise.all(names.map((name) => portInUse(ports[name])));
  const first = names.findIndex((_, i) => busy[i]);
  if (first >= 0) throw new PortInUse(ports[names[first]], names[first]);
}

/** A listen that lost a race for its port after the check, named like the check names it. */
export function asPortInUse(err: unknown, ports: Ports): unknown {
  const { code, port } = (err ?? {}) as { code?: string; port?: number };
  if (code !== "EADDRINUSE" || port === undefined) return err;
  const name = (Object.keys(PORT_OFFSET) as PortName[]).find((n) => ports[n] === port);
  return new PortInUse(port, name ?? "local stack");
}
