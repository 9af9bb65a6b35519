import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Port8000Model, SimulatedRequest } from "./model";

/**
 * What the log pipeline would index, on disk: `DIR/logs/access.log` in gunicorn's access format
 * (the default combined format plus ` %(D)s`, as docs/logging.md asks of Port 8000), and
 * `DIR/logs/bot-events.jsonl`, the orchestrator's JSON lines. Both follow the faults: 5xx
 * under errorRatio, restarts of the crashing bot, failed dispatches while errors are high.
 */

export const ACCESS_LOG = "access.log";
export const BOT_EVENTS = "bot-events.jsonl";
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const CLIENTS = ["10.20.0.11", "10.20.0.12", "10.20.0.37", "192.168.4.20"];
const AGENTS = ["Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0", "python-requests/2.32.3"];

const pad = (n: number) => String(n).padStart(2, "0");

/** gunicorn's %(t)s: [03/Dec/2026:17:05:12 +0000] (UTC here). */
export function accessTime(date: Date): string {
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

export function accessLine(request: SimulatedRequest, n: number, date: Date): string {
  const client = CLIENTS[n % CLIENTS.length];
  const agent = AGENTS[n % AGENTS.length];
  const bytes = request.status >= 500 ? 0 : 200 + (n % 1800);
  const micros = Math.round(request.seconds * 1_000_000);
  return `${client} - - [${accessTime(date)}] "${request.method} ${request.handler} HTTP/1.1" ${request.status} ${bytes} "-" "${agent}" ${micros}`;
}

export function botEvent(fields: Record<string, unknown>, date: Date): string {
  return JSON.stringify({ timestamp: date.toISOString(), ...fields });
}

/** Writes the model's requests and bot events under `dir` from now on; returns a stop. */
export function attachLogWriter(
  model: Port8000Model,
  dir: string,
  now = () => new Date(),
): () => void {
  mkdirSync(dir, { recursive: true });
  const access = join(dir, ACCESS_LOG);
  const events = join(dir, BOT_EVENTS);
  let n = 0;
  model.onRequest = (request) => {
    n += 1;
    const date = now();
    appendFileSync(access, `${accessLine(request, n, date)}\n`);
    const bot = model.bots[n % model.bots.length];
    const task_id = `task-${n}`;
    if (request.handler === "/api/chat") {
      const failed = request.status >= 500;
      const event = failed
        ? {
            event: "dispatch_failed",
            level: "ERROR",
            bot,
            task_id,
            message: `dispatch to ${bot} failed: upstream returned ${request.status}`,
          }
        : { event: "dispatch", level: "INFO", bot, task_id, message: `task handed to ${bot}` };
      appendFileSync(events, `${botEvent(event, date)}\n`);
    }
    const crashing = model.faults.crashBot;
    if (crashing && n % 50 === 0) {
      const restart = {
        event: "bot_restart",
        level: "ERROR",
        bot: crashing,
        message: `bot_health_monitor restarted ${crashing}`,
      };
      appendFileSync(events, `${botEvent(restart, date)}\n`);
    }
  };
  return () => {
    model.onRequest = undefined;
  };
}
