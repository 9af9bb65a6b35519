import { removeScratch, SCRATCH_ENV } from "./scratch";

/** Fails the run when a test left files in the temporary directory (tests/support/scratch.ts). */
export default async function globalTeardown(): Promise<void> {
  const scratch = process.env[SCRATCH_ENV];
  if (!scratch) return;
  const left = removeScratch(scratch);
  if (left.length > 0) {
    throw new Error(
      `tests left ${left.length} entries in the temporary directory (removed now): ${left.join(", ")}`,
    );
  }
}
