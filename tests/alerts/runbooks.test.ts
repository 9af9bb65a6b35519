import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { githubAnchor } from "../../alerts";
import { alertingRules, committedRules, RUNBOOKS, stackConfig } from "./support";

const BASE = stackConfig("prod").links.runbookBaseUrl;
const FILES = readdirSync(RUNBOOKS).filter((f) => f.endsWith(".md") && f !== "README.md");
const text = (file: string) => readFileSync(join(RUNBOOKS, file), "utf8");
const ALL = [...FILES, "README.md"].map(text).join("\n");

/** Anchors GitHub gives a file's headings, with -1, -2 … for repeated ones. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of markdown.replace(/```[\s\S]*?```/g, "").matchAll(/^#{1,6} (.+)$/gm)) {
    const base = githubAnchor(heading.replace(/`/g, ""));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

describe("runbook links", () => {
  const urls = [...new Set(alertingRules(committedRules()).map((r) => r.annotations.runbook_url))];

  it.each(urls)("%s points at an existing file and heading", (url) => {
    expect(url.startsWith(`${BASE}/`)).toBe(true);
    const [file, anchor] = url.slice(BASE.length + 1).split("#");
    expect(existsSync(join(RUNBOOKS, file))).toBe(true);
    expect([...anchors(text(file))]).toContain(anchor);
  });

  it("computes GitHub's anchors", () => {
    expect(githubAnchor("Port8000HighErrorRate")).toBe("port8000higherrorrate");
    expect(githubAnchor("Dependencies: Ollama and database")).toBe(
      "dependencies-ollama-and-database",
    );
    expect([...anchors("## Meaning\n## Meaning\n")]).toEqual(["meaning", "meaning-1"]);
  });
});

describe("runbook files", () => {
  it.each(FILES)("%s has Meaning, Impact, Diagnosis, Mitigation and Escalation", (file) => {
    const headings = [...text(file).matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual(["Meaning", "Impact", "Diagnosis", "Mitigation", "Escalation"]);
  });

  it("are all listed in the README, and every README link exists", () => {
    const links = [...text("README.md").matchAll(/\]\(([\w-]+\.md)\)/g)].map((m) => m[1]);
    expect([...new Set(links)].sort()).toEqual([...FILES].sort());
  });

  it("each serve at least one alert", () => {
    const used = new Set(
      alertingRules(committedRules()).map(
        (r) => r.annotations.runbook_url.split("/").pop()?.split("#")[0],
      ),
    );
    expect(FILES.filter((f) => !used.has(f))).toEqual([]);
  });
});

/** Every fact of guide sections 2 (alert configuration) and 4 (incident runbooks). */
const GUIDE_FACTS = [
  // 2.1
  'sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05',
  "PagerDuty",
  "#deia-ops",
  "log samples",
  "deploy metadata",
  // 2.2
  "histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[2m])) by (le)) > 0.5",
  "750 ms for 1m",
  "queue depth",
  // 2.3
  "increase(process_resident_memory_bytes[15m]) > 500MB",
  "tracemalloc",
  "Ops backlog ticket",
  "controlled restart",
  // 2.4
  "rate(websocket_disconnect_total[1m]) > 20",
  "tcp_connection_errors_total > 10",
  "list of affected clients",
  "reverse proxy",
  // 2.5 and routes
  "< 15%",
  "< 10%",
  "log rotation script",
  "blocks deployments",
  "infra lead",
  "SMS backup",
  "e-mail summary every hour",
  "daily standup",
  // 4.1
  "node_cpu_seconds_total",
  "`top`",
  "bot vs orchestrator",
  "bot auto-scaler",
  "py-spy dump",
  "spawn additional bots",
  "bot_load_manager",
  "incident log",
  "under 70%",
  // 4.2
  "85%",
  "OOM kill",
  "free -h",
  "ps aux --sort -rss | head",
  "objgraph",
  "rolling fashion",
  "lower concurrency",
  "Purge large caches and log buffers",
  "file a bug with the code owners",
  "attach the heap data",
  "adjust the\n  monitoring thresholds",
  // 4.3
  "pg_isready",
  "firewall",
  "VPN",
  "ConnectionReset",
  "OperationalError",
  "degraded mode",
  '"degraded" banner',
  "exponential backoff",
  "5 min",
  "standby DB",
  "flush the backlog",
  "verify data integrity",
  "timeline",
  // 4.4
  "`101` upgrade failures",
  "TLS handshake errors",
  "certificate status",
  "CORS",
  "Restart the WebSocket worker pool",
  "60 s",
  "status page",
  "packet trace",
  "network team",
  // 4.5
  "within 15 min of deploy",
  "Freeze the queue",
  "deployment toggle",
  "`git checkout`",
  "last known good release tag",
  "redeploy the container/service",
  "pytest tests/smoke/test_port8000.py",
  "UI ping",
  "Unpause the queue",
  "monitor for 10 min",
  "open an RCA ticket",
  "metrics screenshots",
  "offending commit(s)",
];

describe("the runbooks carry the operations guide", () => {
  it.each(GUIDE_FACTS)("mention %j", (fact) => {
    expect(ALL).toContain(fact);
  });
});
