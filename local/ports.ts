/**
 * Every port the local stack listens on, as an offset from the port base. Pulumi.local.yaml is
 * written for the default base; `--port-base` moves each loopback URL in it by the same amount.
 */

export const DEFAULT_PORT_BASE = 19090;

export const PORT_OFFSET = {
  prometheus: 0,
  alertmanager: 1,
  simulator: 2,
  sinks: 3,
  nodeExporter: 4,
  blackboxExporter: 5,
  smtp: 6,
  automation: 7,
  // Long-term metrics (Thanos): HTTP and gRPC of the sidecar, the Store Gateway and Query.
  thanosSidecar: 8,
  thanosSidecarGrpc: 9,
  thanosStore: 10,
  thanosStoreGrpc: 11,
  thanosQuery: 12,
  thanosQueryGrpc: 13,
} as const;
export type PortName = keyof typeof PORT_OFFSET;
export type Ports = Readonly<Record<PortName, number>>;

/** How many consecutive ports from the base the stack takes. */
export const PORT_SPAN = Math.max(...Object.values(PORT_OFFSET)) + 1;
export const LOOPBACK = "127.0.0.1";

export function portsFrom(base: number): Ports {
  return Object.fromEntries(
    Object.entries(PORT_OFFSET).map(([name, offset]) => [name, base + offset]),
  ) as Ports;
}

export function address(port: number): string {
  return `${LOOPBACK}:${port}`;
}

export function httpUrl(port: number): string {
  return `http://${address(port)}`;
}

/** Moves `127.0.0.1:<default port>` (any of the stack's) to the same offset from `base`. */
export function movePorts(text: string, base: number): string {
  return text.replace(/127\.0\.0\.1:(\d+)/g, (match, port: string) => {
    const offset = Number(port) - DEFAULT_PORT_BASE;
    if (offset < 0 || offset >= PORT_SPAN) return match;
    return address(base + offset);
  });
}
