import { parseDurationMs } from "../../lib/duration";
import type { StackConfig } from "../config/schema";
import { SCRAPE_INTERVAL } from "./monitors";
import { EVALUATION_INTERVAL } from "./values";

/**
 * What the pipeline adds to a critical Port 8000 alert's `for:` at worst: the fault lands just
 * after a scrape, the sample lands just after an evaluation, and Alertmanager holds the first
 * notification of a group for the critical group_wait.
 */
export function detectionOverheadMs(config: StackConfig) {
  const scrapeMs = parseDurationMs(SCRAPE_INTERVAL);
  const evaluationMs = parseDurationMs(EVALUATION_INTERVAL);
  const groupWaitMs = parseDurationMs(config.alerting.criticalGroupWait);
  return { scrapeMs, evaluationMs, groupWaitMs, totalMs: scrapeMs + evaluationMs + groupWaitMs };
}
