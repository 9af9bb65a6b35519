import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LoggingArtifact } from "../../components/logging/names";
import { FIELD_TYPES } from "../../components/opensearch/documents";
import { compiledPipeline } from "../../lib/grok";
import { PipelineField } from "../../lib/log-fields";
import { ACCESS_LOG, attachLogWriter, BOT_EVENTS } from "../../local/simulator/logs";
import { Port8000Model } from "../../local/simulator/model";
import { renderArtifacts } from "../../scripts/artifacts";
import { tempDir } from "../alertmanager/support";
import { configOf } from "./support";

const gunicorn = compiledPipeline(
  renderArtifacts(configOf("prod"))[LoggingArtifact.logstashPipeline],
)["gunicorn-access"];

/** Runs the simulator's model for `seconds` of traffic with `faults`, writing its logs. */
function simulate(faults: Port8000Model["faults"], seconds = 5) {
  const dir = tempDir("sim-logs");
  const start = Date.UTC(2026, 11, 3, 17, 0, 0);
  const model = new Port8000Model(4, 1, start);
  model.faults = faults;
  attachLogWriter(model, dir, () => new Date(start));
  model.tick(start + seconds * 1000);
  const lines = (file: string) => {
    try {
      return readFileSync(join(dir, file), "utf8").trim().split("\n").filter(Boolean);
    } catch {
      return [];
    }
  };
  return { access: lines(ACCESS_LOG), events: lines(BOT_EVENTS) };
}

describe("the simulator's logs, read by the pipeline's own grok", () => {
  it("writes one gunicorn access line per request, every one parsed", () => {
    const { access } = simulate({});
    expect(access.length).toBeGreaterThan(500);
    const unparsed = access.filter((line) => !gunicorn.parse(line));
    expect(unparsed).toEqual([]);
  });

  it("follows errorRatio: the parsed 5xx share is the fault's", () => {
    const { access } = simulate({ errorRatio: 0.3 });
    const statuses = access.map((line) => gunicorn.parse(line)?.status as number);
    const share = statuses.filter((s) => s >= 500).length / statuses.length;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
  });

  it("writes durations the pipeline turns into duration_ms, following latencyMs", () => {
    const slow = simulate({ latencyMs: 900 }).access.map(
      (l) => gunicorn.parse(l)?.duration_us as number,
    );
    const fast = simulate({ latencyMs: 100 }).access.map(
      (l) => gunicorn.parse(l)?.duration_us as number,
    );
    expect(Math.max(...slow)).toBeGreaterThan(800_000);
    expect(Math.max(...fast)).toBeLessThan(150_000);
  });

  it("writes bot events as JSON lines with mapped fields, failures and restarts under faults", () => {
    const { events } = simulate({ errorRatio: 0.5, crashBot: "bot-01" }, 10);
    const parsed = events.map((e) => JSON.parse(e) as Record<string, unknown>);
    expect(parsed.length).toBeGreaterThan(10);
    const kinds = new Set(parsed.map((e) => e.event));
    expect(kinds).toEqual(new Set(["dispatch", "dispatch_failed", "bot_restart"]));
    const unmapped = [...new Set(parsed.flatMap(Object.keys))].filter(
      (k) => k !== PipelineField.lineTime && !(k in FIELD_TYPES),
    );
    expect(unmapped).toEqual([]);
  });
});
