import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** What the sinks received: one JSON line per notification in `received/<receiver>.jsonl`. */

export interface Received {
  readonly receiver: string;
  readonly path: string;
  readonly body: unknown;
  /** ms since epoch. */
  readonly receivedAt: number;
}

export const RECEIVED_DIR = "received";
/** Requests no receiver of the routing contract claims (e.g. an unknown routing key). */
export const UNROUTED = "_unrouted";

export function receivedFile(stateDir: string, receiver: string): string {
  return join(stateDir, RECEIVED_DIR, `${receiver}.jsonl`);
}

export class Journal {
  constructor(private readonly stateDir: string) {
    mkdirSync(join(stateDir, RECEIVED_DIR), { recursive: true });
  }

  record(receiver: string, path: string, body: unknown): Received {
    const entry: Received = { receiver, path, body, receivedAt: Date.now() };
    appendFileSync(receivedFile(this.stateDir, receiver), `${JSON.stringify(entry)}\n`);
    return entry;
  }

  read(receiver: string): Received[] {
    return readReceived(this.stateDir, receiver);
  }
}

export function readReceived(stateDir: string, receiver: string): Received[] {
  const file = receivedFile(stateDir, receiver);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Received);
}
