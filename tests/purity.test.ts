import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT } from "./support/program";

/** Renderers are pure: only components/<area>/index.ts, providers and config loading touch Pulumi. */

const PURE_DIRS = ["automation", "lib", "alerts", "components", "dashboards", "ops", "policy"];
const PULUMI_ALLOWED = [
  // A component's wrapper, and the wrappers of its parts (components/opensearch/tls/index.ts).
  /^components\/[^/]+\/([^/]+\/)?index\.ts$/,
  /^components\/providers\//,
  // The policy pack's entry starts the policy server; its policies import only types.
  /^policy\/index\.ts$/,
];

function tsFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

describe("pure renderers", () => {
  const files = PURE_DIRS.flatMap((dir) => tsFiles(join(ROOT, dir))).map((f) => relative(ROOT, f));

  it("find the files to check", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "components/prometheus/values.ts",
        "components/archive/lifecycle.ts",
        "components/logging/logstash.ts",
        "components/opensearch/cluster.ts",
      ]),
    );
  });

  it("import nothing from Pulumi", () => {
    const impure = files.filter((file) => {
      if (PULUMI_ALLOWED.some((allowed) => allowed.test(file))) return false;
      return /^(import (?!type )|export )[^;]*from "@pulumi|require\("@pulumi|from "@pulumiverse/m.test(
        readFileSync(join(ROOT, file), "utf8"),
      );
    });
    expect(impure).toEqual([]);
  });
});
