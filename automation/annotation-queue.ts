import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AnnotationJob, tagsOf } from "./annotation-jobs.ts";
import { type GrafanaClient, permanent } from "./grafana-client.ts";

export interface QueueOptions {
  stateDir?: string;
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxAttempts?: number;
}

export type Log = (entry: Record<string, unknown>) => void;

function readJson<T>(path: string | undefined, fallback: T): T {
  if (!path) return fallback;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return fallback;
  }
}

/**
 * Jobs in order, persisted after every change when stateDir is set; retried with exponential
 * backoff; a job Grafana refuses for good (or past maxAttempts) is logged and kept in
 * annotation-failed.jsonl.
 */
export function annotationQueue(options: QueueOptions, grafana: GrafanaClient, log: Log) {
  if (options.stateDir) mkdirSync(options.stateDir, { recursive: true });
  const queuePath = options.stateDir ? join(options.stateDir, "annotation-queue.json") : undefined;
  const deadPath = options.stateDir ? join(options.stateDir, "annotation-failed.jsonl") : undefined;
  const queue: AnnotationJob[] = readJson(queuePath, []);
  const { baseDelayMs = 1000, maxDelayMs = 60_000, maxAttempts = 30 } = options;
  let attempts = 0;
  let running = false;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let waiters: (() => void)[] = [];

  const persist = () => {
    if (!queuePath) return;
    writeFileSync(`${queuePath}.tmp`, JSON.stringify(queue));
    renameSync(`${queuePath}.tmp`, queuePath);
  };
  const giveUp = (job: AnnotationJob, error: unknown) => {
    log({ event: "annotation.failed", level: "error", attempts, error: String(error), job });
    if (deadPath)
      appendFileSync(
        deadPath,
        `${JSON.stringify({ at: new Date().toISOString(), error: String(error), job })}\n`,
      );
  };
  /** Writes the head job; false when it is to be retried later. */
  const attempt = async (job: AnnotationJob): Promise<boolean> => {
    try {
      log({ event: "annotation.written", result: await grafana.run(job), tags: tagsOf(job) });
    } catch (error) {
      attempts += 1;
      if (!permanent(error) && attempts < maxAttempts) {
        const delayMs = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempts - 1));
        log({
          event: "annotation.retry",
          level: "warning",
          attempts,
          delayMs,
          error: String(error),
        });
        timer = setTimeout(work, delayMs);
        return false;
      }
      giveUp(job, error);
    }
    return true;
  };
  const work = async () => {
    if (running || closed) return;
    running = true;
    while (queue.length > 0 && !closed) {
      if (!(await attempt(queue[0]))) {
        running = false;
        return;
      }
      attempts = 0;
      queue.shift();
      persist();
    }
    running = false;
    for (const wake of waiters) wake();
    waiters = [];
  };

  if (queue.length > 0) void work();
  return {
    enqueue: (job: AnnotationJob) => {
      queue.push(job);
      persist();
      void work();
    },
    idle: () =>
      queue.length === 0 && !running
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push(resolve)),
    pending: () => [...queue],
    close: () => {
      closed = true;
      if (timer) clearTimeout(timer);
      if (queue.length > 0)
        log({ event: "annotation.pending-at-shutdown", level: "warning", jobs: queue });
    },
  };
}
