import { RECORDED_RUNS_ENV, recordRuns } from "./recorded-runs";

/** Runs before any worker starts; the workers inherit the environment set here. */
export default async function globalSetup(): Promise<void> {
  process.env[RECORDED_RUNS_ENV] = await recordRuns();
}
