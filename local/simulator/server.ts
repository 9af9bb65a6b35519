import { appendFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { LOG_PIPELINE_METRICS } from "../../lib/metrics";
import { readBody } from "../http";
import { parseFaults } from "./faults";
import { attachLogWriter } from "./logs";
import { Port8000Model } from "./model";
import { renderFamilies } from "./registry";

/**
 * The Port 8000 simulator: /metrics (job port8000), /logstash/metrics (job logstash), /health,
 * POST /admin/fault, and the heap-snapshot endpoint the automation service calls.
 */

export interface SimulatorOptions {
  readonly host: string;
  readonly port: number;
  readonly bots: number;
  readonly timeScale: number;
  /** Each heap-snapshot request is appended here as one JSON line. */
  readonly heapSnapshotLog?: string;
  readonly tickMs?: number;
  /** Where the access log and bot events are written (logs.ts); none when unset. */
  readonly logDir?: string;
}

export interface Simulator {
  readonly url: string;
  readonly model: Port8000Model;
  readonly heapSnapshots: number;
  close(): Promise<void>;
}

export const LOG_PIPELINE_METRICS_PATH = "/logstash/metrics";
const EXPOSITION = "text/plain; version=0.0.4; charset=utf-8";
// Served on the log pipeline exporter's path, as Logstash's exporter serves them.
const APP_FAMILIES_EXCLUDED = new Set(Object.keys(LOG_PIPELINE_METRICS));

function send(res: ServerResponse, status: number, body: string, type = "text/plain"): void {
  res.writeHead(status, { "content-type": type });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, `${JSON.stringify(body)}\n`, "application/json");
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const model = new Port8000Model(options.bots, options.timeScale);
  if (options.logDir) attachLogWriter(model, options.logDir);
  const bots = new Set(model.bots);
  let heapSnapshots = 0;

  const metrics = (logPipeline: boolean) => {
    model.tick();
    const chosen = [...model.families.values()].filter(
      (f) => APP_FAMILIES_EXCLUDED.has(f.name) === logPipeline,
    );
    return renderFamilies(chosen);
  };

  const applyFault = async (req: IncomingMessage, res: ServerResponse) => {
    const parsed = parseFaults(await readBody(req), bots);
    if (!parsed.ok) return sendJson(res, 400, { error: parsed.problems.join("; ") });
    model.tick();
    model.faults = parsed.faults;
    sendJson(res, 200, { faults: model.faults });
  };

  const heapSnapshot = (res: ServerResponse) => {
    heapSnapshots += 1;
    const entry = { snapshot: heapSnapshots, takenAt: Date.now() };
    if (options.heapSnapshotLog)
      appendFileSync(options.heapSnapshotLog, `${JSON.stringify(entry)}\n`);
    sendJson(res, 200, entry);
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://simulator").pathname;
    const key = `${req.method} ${path}`;
    if (key === "GET /metrics") return send(res, 200, metrics(false), EXPOSITION);
    if (key === `GET ${LOG_PIPELINE_METRICS_PATH}`)
      return send(res, 200, metrics(true), EXPOSITION);
    if (key === "GET /health") {
      return model.healthy ? send(res, 200, "ok\n") : send(res, 503, "unhealthy (fault)\n");
    }
    if (key === "POST /admin/fault") return applyFault(req, res);
    if (key === "GET /admin/fault") return sendJson(res, 200, { faults: model.faults });
    if (key === "POST /admin/heap-snapshot") return heapSnapshot(res);
    if (path === "/admin/fault") return send(res, 405, "use POST with a JSON body\n");
    return send(res, 404, "not found\n");
  };

  const server: Server = createServer((req, res) => {
    route(req, res).catch((err: Error) => send(res, 500, `${err.message}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const timer = setInterval(() => model.tick(), options.tickMs ?? 250);

  return {
    url: `http://${options.host}:${options.port}`,
    model,
    get heapSnapshots() {
      return heapSnapshots;
    },
    close: () => {
      clearInterval(timer);
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
