import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in Prometheus and Alertmanager with fixed answers (so the ops routines' numbers are
 * known), Port 8000's bot registry, and loopback load-test targets, for the ops CLI's tests.
 */

const DAY = 86_400;
/** The stand-in's utilization line: 30% now, +0.2 points a day → 80% in 250 days. */
export const NOW_SHARE = 0.3;
export const PER_DAY = 0.002;
/** What the stand-in's /registry answers. */
export const REGISTERED_BOTS = ["bot-1", "bot-2"];

export function listen(server: Server): Promise<string> {
  return new Promise((r) =>
    server.listen(0, "127.0.0.1", () =>
      r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

const json = (data: unknown) => JSON.stringify({ status: "success", data });

export function standIn(): Server {
  return createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const form = new URLSearchParams(body || url.search.slice(1));
      res.setHeader("content-type", "application/json");
      if (url.pathname === "/api/v1/status/buildinfo")
        return res.end(json({ version: "stand-in" }));
      if (url.pathname === "/api/v2/status")
        return res.end(JSON.stringify({ versionInfo: {}, config: { original: "" } }));
      if (url.pathname === "/api/v2/silences" || url.pathname === "/api/v2/alerts")
        return res.end("[]");
      if (url.pathname === "/api/v1/rules") return res.end(json({ groups: [] }));
      if (url.pathname === "/registry") return res.end(JSON.stringify({ bots: REGISTERED_BOTS }));
      if (url.pathname === "/api/v1/query")
        return res.end(
          json({
            resultType: "vector",
            result: [{ metric: {}, value: [Number(form.get("time")), "0.5"] }],
          }),
        );
      if (url.pathname === "/api/v1/query_range") {
        const [start, end, step] = ["start", "end", "step"].map((k) => Number(form.get(k)));
        const values: [number, string][] = [];
        for (let t = start; t <= end; t += step)
          values.push([t, String(NOW_SHARE - (PER_DAY * (end - t)) / DAY)]);
        return res.end(json({ resultType: "matrix", result: [{ metric: {}, values }] }));
      }
      res.statusCode = 404;
      return res.end(JSON.stringify({ status: "error", error: "not found" }));
    });
  });
}

/** Port 8000 for a load test (200, or 500 every `failEvery`-th request) with its /registry. */
export function loadTarget(failEvery = 0): Server {
  let n = 0;
  return createServer((req, res) => {
    if (req.url === "/registry") {
      res.end(JSON.stringify(REGISTERED_BOTS));
      return;
    }
    n++;
    res.statusCode = failEvery && n % failEvery === 0 ? 500 : 200;
    res.end("ok");
  });
}
