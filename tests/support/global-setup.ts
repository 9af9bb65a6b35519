import { RECORDED_RUNS_ENV, recordRuns } from "./recorded-runs";
import { createScratch, SCRATCH_ENV } from "./scratch";

/** Runs before any worker starts; the workers inherit the environment set here. */
export default async function globalSetup(): Promise<void> {
  process.env[RECORDED_RUNS_ENV] = await recordRuns();
  const scratch = createScratch();
  process.env[SCRATCH_ENV] = scratch;
  process.env.TMPDIR = scratch;
}
