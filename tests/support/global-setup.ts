import { BUNDLE_CACHE_ENV } from "../../lib/node-bundle";
import { RECORDED_RUNS_ENV, recordRuns } from "./recorded-runs";
import { bundleCacheOf, createScratch, SCRATCH_ENV } from "./scratch";

/** Runs before any worker starts; the workers inherit the environment set here. */
export default async function globalSetup(): Promise<void> {
  const scratch = createScratch();
  process.env[SCRATCH_ENV] = scratch;
  process.env.TMPDIR = scratch;
  process.env[BUNDLE_CACHE_ENV] = bundleCacheOf(scratch);
  process.env[RECORDED_RUNS_ENV] = await recordRuns();
}
