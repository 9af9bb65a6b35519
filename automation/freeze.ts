import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { WebhookAlert } from "./alertmanager-webhook.ts";

/**
 * The deploy freeze (guide 2.5): held while a critical HostDiskSpaceLow fires, by the
 * fingerprints of the alerts holding it; stored in a file, in memory, or (cluster.ts) in the
 * ConfigMap the deploy step reads.
 */

export interface FreezeState {
  frozen: boolean;
  /** Fingerprints of the critical disk alerts holding the freeze. */
  alerts: string[];
  reason: string;
  updatedAt: string;
}

export interface FreezeStore {
  read(): Promise<FreezeState>;
  /**
   * Stores `change(current)`. A store shared by several writers (replicas) re-reads and calls
   * `change` again when another writer got in between, so no write is lost.
   */
  update(change: (state: FreezeState) => FreezeState): Promise<FreezeState>;
}

const UNFROZEN: FreezeState = { frozen: false, alerts: [], reason: "", updatedAt: "" };

/** One process's file; the server serializes its own updates. */
export function fileFreezeStore(path: string): FreezeStore {
  const read = (): FreezeState => {
    try {
      return { ...UNFROZEN, ...JSON.parse(readFileSync(path, "utf8")) };
    } catch {
      return { ...UNFROZEN };
    }
  };
  return {
    read: async () => read(),
    update: async (change) => {
      const next = change(read());
      writeJsonAtomic(path, next);
      return next;
    },
  };
}

export function memoryFreezeStore(): FreezeStore {
  let state: FreezeState = { ...UNFROZEN };
  const copy = () => ({ ...state, alerts: [...state.alerts] });
  return {
    read: async () => copy(),
    update: async (change) => {
      state = change(copy());
      return copy();
    },
  };
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(value, null, 2));
  renameSync(`${path}.tmp`, path);
}

export function applyFreeze(state: FreezeState, alert: WebhookAlert, freeze: boolean): FreezeState {
  const others = state.alerts.filter((f) => f !== alert.fingerprint);
  const alerts = freeze ? [...others, alert.fingerprint] : others;
  const where = alert.labels.instance ?? alert.labels.node ?? "a host";
  return {
    frozen: alerts.length > 0,
    alerts,
    reason: alerts.length > 0 ? `${alert.labels.alertname} critical on ${where}` : "",
    updatedAt: new Date().toISOString(),
  };
}
