import { pathToFileURL } from "node:url";

/** tsx's loader, by absolute URL: a child's working directory need not be the repository. */
const TSX_LOADER = pathToFileURL(require.resolve("tsx")).href;

/**
 * A TypeScript file run by Node through tsx's loader, as package.json's scripts run the bins:
 * one process (tsx's own bin starts a second Node to wrap the first, 0.3 s of CPU a start).
 */
export function tsxNode(script: string, args: readonly string[] = []): [string, string[]] {
  return [process.execPath, ["--import", TSX_LOADER, script, ...args]];
}
