import { rmSync } from "node:fs";
import { TestEnvironment } from "jest-environment-node";
import { TEMP_DIRS } from "./temp";

/**
 * Node's environment, plus: removes the temporary directories a test file made with tempDir()
 * once the file is done, after its own afterAll hooks stopped the servers writing there.
 */
export default class Environment extends TestEnvironment {
  async teardown(): Promise<void> {
    const dirs = (this.global as Record<string, unknown>)[TEMP_DIRS] as string[] | undefined;
    for (const dir of dirs ?? []) rmSync(dir, { recursive: true, force: true });
    await super.teardown();
  }
}
