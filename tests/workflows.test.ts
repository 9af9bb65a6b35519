import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { SCHEMAS_DIR } from "./support/chart-values";
import { ROOT } from "./support/program";

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  jobs: Record<string, { steps: Step[] }>;
}

const dir = join(ROOT, ".github", "workflows");
const workflows = Object.fromEntries(
  readdirSync(dir).map((file) => [
    file,
    yaml.load(readFileSync(join(dir, file), "utf8")) as Workflow,
  ]),
);
const steps = (file: string) => Object.values(workflows[file].jobs).flatMap((job) => job.steps);
const actionInputs = Object.keys(
  (
    yaml.load(readFileSync(join(SCHEMAS_DIR, "pulumi-actions-v7", "action.yml"), "utf8")) as {
      inputs: object;
    }
  ).inputs,
);

describe("GitHub workflows", () => {
  it("give pulumi/actions@v7 only inputs its action.yml declares", () => {
    const pulumiSteps = Object.keys(workflows).flatMap((file) =>
      steps(file)
        .filter((s) => s.uses?.startsWith("pulumi/actions@"))
        .map((s) => ({ file, step: s })),
    );
    expect(pulumiSteps.length).toBeGreaterThanOrEqual(2);
    for (const { file, step } of pulumiSteps) {
      expect({ file, uses: step.uses }).toEqual({ file, uses: "pulumi/actions@v7" });
      expect(Object.keys(step.with ?? {}).filter((k) => !actionInputs.includes(k))).toEqual([]);
    }
  });

  it("post a preview diff on PRs and render the artifacts with synth first", () => {
    const preview = steps("preview.yml");
    const pulumi = preview.find((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(pulumi?.with).toMatchObject({ command: "preview", diff: true, "comment-on-pr": true });
    expect(preview.some((s) => s.run?.includes("npm run synth"))).toBe(true);
  });

  it("run the policy pack in the PR preview and in the deploy", () => {
    for (const file of ["preview.yml", "deploy.yml"]) {
      const pulumi = steps(file).find((s) => s.uses?.startsWith("pulumi/actions@"));
      const packs = String(pulumi?.with?.policyPacks ?? "")
        .split(/\s+/)
        .filter(Boolean);
      expect({ file, packs }).toEqual({ file, packs: ["policy"] });
      const project = yaml.load(readFileSync(join(ROOT, packs[0], "PulumiPolicy.yaml"), "utf8"));
      expect(project).toMatchObject({ runtime: "nodejs" });
      const entry = readFileSync(join(ROOT, packs[0], "index.ts"), "utf8");
      expect(entry).toMatch(/new PolicyPack\(/);
      // The pack's dependencies resolve from the root install the workflows run.
      expect(steps(file).some((s) => s.run === "npm ci")).toBe(true);
      expect(existsSync(join(ROOT, "node_modules", "@pulumi", "policy", "package.json"))).toBe(
        true,
      );
    }
  });

  it("run the same CI entry point CI runs", () => {
    expect(steps("ci.yml").some((s) => s.run?.includes(".ci/run"))).toBe(true);
  });
});
