import { existsSync, lstatSync, mkdirSync, readlinkSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { createScratch, removeScratch, SCRATCH_ENV } from "./support/scratch";

describe("the run's temporary directory", () => {
  it("is where this worker's temporary files go", () => {
    const scratch = process.env[SCRATCH_ENV];
    expect(scratch).toBeDefined();
    expect(tmpdir()).toBe(scratch);
  });

  it("shares tsx's compile cache with the usual temporary directory", () => {
    const dir = createScratch();
    try {
      const cache = join(dir, `tsx-${userInfo().uid}`);
      expect(lstatSync(cache).isSymbolicLink()).toBe(true);
      expect(readlinkSync(cache)).toBe(join(dirname(dir), `tsx-${userInfo().uid}`));
    } finally {
      removeScratch(dir);
    }
  });

  it("names what a test left behind, and is removed with it", () => {
    const dir = createScratch();
    mkdirSync(join(dir, "automation-x1"));
    writeFileSync(join(dir, "automation-x1", "queue.json"), "[]");
    writeFileSync(join(dir, "evidence-y2"), "");
    expect(removeScratch(dir)).toEqual(["automation-x1", "evidence-y2"]);
    expect(existsSync(dir)).toBe(false);
  });

  it("reports nothing when the tests cleaned up", () => {
    const dir = createScratch();
    expect(removeScratch(dir)).toEqual([]);
  });
});
