import { createServer, type IncomingMessage, type Server } from "node:http";

/** A stand-in of Grafana's /api/annotations (find, create, patch) that can be taken down. */

export interface StoredAnnotation {
  id: number;
  time: number;
  timeEnd?: number;
  tags: string[];
  text: string;
}

export interface GrafanaStandIn {
  url: string;
  annotations: StoredAnnotation[];
  requests: { method: string; path: string; authorization?: string }[];
  /** Answer every request with this status (503 = down) until set back to undefined. */
  failWith: number | undefined;
  close(): Promise<void>;
}

function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {}));
  });
}

export async function startGrafanaStandIn(token: string): Promise<GrafanaStandIn> {
  const state: GrafanaStandIn = {
    url: "",
    annotations: [],
    requests: [],
    failWith: undefined,
    close: async () => undefined,
  };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    state.requests.push({
      method: req.method ?? "",
      path: url.pathname,
      authorization: req.headers.authorization,
    });
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (state.failWith) return json(state.failWith, { message: "unavailable" });
    if (req.headers.authorization !== `Bearer ${token}`)
      return json(401, { message: "Unauthorized" });
    if (req.method === "GET" && url.pathname === "/api/annotations") {
      const tags = url.searchParams.getAll("tags");
      return json(
        200,
        state.annotations.filter((a) => tags.every((t) => a.tags.includes(t))),
      );
    }
    if (req.method === "POST" && url.pathname === "/api/annotations") {
      const b = await body(req);
      const id = state.annotations.length + 1;
      state.annotations.push({ id, ...(b as Omit<StoredAnnotation, "id">) });
      return json(200, { message: "Annotation added", id });
    }
    const patch = /^\/api\/annotations\/(\d+)$/.exec(url.pathname);
    if (req.method === "PATCH" && patch) {
      const found = state.annotations.find((a) => a.id === Number(patch[1]));
      if (!found) return json(404, { message: "Annotation not found" });
      Object.assign(found, await body(req));
      return json(200, { message: "Annotation patched" });
    }
    json(404, { message: "not found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  state.url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  state.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
