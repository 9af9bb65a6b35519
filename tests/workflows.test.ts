import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { SCHEMAS_DIR } from "./support/chart-values";
import { ROOT } from "./support/program";

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  if?: string;
  needs?: string | string[];
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, Record<string, unknown> | null>;
  jobs: Record<string, Job>;
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

describe("the deploy workflow", () => {
  const deploy = workflows["deploy.yml"];
  const deployJob = Object.values(deploy.jobs).find((job) =>
    job.steps.some((s) => s.uses?.startsWith("pulumi/actions@")),
  ) as Job;
  const index = (find: (s: Step) => boolean) => deployJob.steps.findIndex(find);

  it("deploys only after the CI workflow passed on main, never on the push itself", () => {
    expect(Object.keys(deploy.on).sort()).toEqual(["workflow_dispatch", "workflow_run"]);
    expect(deploy.on.workflow_run).toEqual({
      workflows: [workflows["ci.yml"].name],
      types: ["completed"],
      branches: ["main"],
    });
    const needs = [deployJob.needs ?? []].flat();
    expect(needs).toHaveLength(1);
    const gate = deploy.jobs[needs[0]];
    expect(gate.if).toContain("github.event.workflow_run.conclusion == 'success'");
    // A dispatched deploy (dr in a disaster) checks that CI passed on the commit it deploys.
    expect(
      gate.steps.some((s) =>
        /gh run list .*--workflow ci\.yml .*--status success/.test(s.run ?? ""),
      ),
    ).toBe(true);
  });

  it("deploys the commit CI tested, not whatever main is when it runs", () => {
    const checkout = deployJob.steps.find((s) => s.uses?.startsWith("actions/checkout@"));
    expect(String(checkout?.with?.ref)).toMatch(/^\$\{\{ needs\.\w+\.outputs\.sha \}\}$/);
  });

  it("refreshes before up", () => {
    const up = deployJob.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(up?.with).toMatchObject({ command: "up", refresh: true });
  });

  it.each(["deploy.yml", "preview.yml"])(
    "%s gets cluster credentials from EKS through the OIDC role, not a kubeconfig secret",
    (file) => {
      const text = readFileSync(join(dir, file), "utf8");
      expect(text).not.toMatch(/KUBECONFIG/);
      const job = Object.values(workflows[file].jobs).find((j) =>
        j.steps.some((s) => s.uses?.startsWith("pulumi/actions@")),
      ) as Job;
      const at = (find: (s: Step) => boolean) => job.steps.findIndex(find);
      const target = job.steps.find((s) => s.run?.includes("scripts/deploy-target.ts"));
      const credentials = at(
        (s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") ?? false,
      );
      const kubeconfig = at((s) => s.run?.includes("aws eks update-kubeconfig") ?? false);
      const pulumi = at((s) => s.uses?.startsWith("pulumi/actions@") ?? false);
      expect(target?.id).toBeDefined();
      expect(credentials).toBeGreaterThanOrEqual(0);
      expect(credentials).toBeLessThan(kubeconfig);
      expect(kubeconfig).toBeLessThan(pulumi);
      const output = (key: string) => `\${{ steps.${target?.id}.outputs.${key} }}`;
      expect(job.steps[credentials].with?.["aws-region"]).toBe(output("region"));
      for (const [flag, key] of [
        ["--name", "cluster"],
        ["--region", "region"],
        ["--alias", "context"],
      ]) {
        expect(job.steps[kubeconfig].run).toContain(`${flag} "${output(key)}"`);
      }
      expect(workflows[file]).toHaveProperty(["permissions", "id-token"], "write");
    },
  );

  it("reads the EKS target of a stack from its stack file", () => {
    const run = (...args: string[]) =>
      spawnSync("npx", ["tsx", "scripts/deploy-target.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
      });
    expect(run("--stack", "dr").stdout).toBe(
      "region=us-west-2\ncluster=port8000-dr\ncontext=port8000-dr\n",
    );
    const bad = run("--stack", "local");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/local.*cluster\.name/);
  });

  it("never deploys before rendering and validating the stack", () => {
    expect(index((s) => s.run?.includes("npm run synth") ?? false)).toBeLessThan(
      index((s) => s.uses?.startsWith("pulumi/actions@") ?? false),
    );
  });
});
