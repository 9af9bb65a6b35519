import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { deployJob } from "../automation/annotation-jobs";
import { VULNERABILITY_REVIEW_IN_CI } from "../components/ops-schedule/workload";
import { buildDashboards } from "../dashboards";
import { DashboardUid } from "../lib/conventions";
import { runTool } from "../lib/tools";
import { parseStackFileConfig } from "../scripts/synth-lib";
import { SCHEMAS_DIR } from "./support/chart-values";
import { ROOT, stackFile } from "./support/program";
import { tsxNode } from "./support/tsx";

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
      spawnSync(...tsxNode("scripts/deploy-target.ts", args), {
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

/**
 * GitHub's `${{ }}` expressions as the runner evaluates the ones these workflows use: property
 * paths over the contexts, `||` (the first truthy operand) and quoted literals.
 */
function evaluate(expression: string, contexts: Record<string, unknown>): string {
  const operand = (text: string): unknown => {
    const literal = /^'(.*)'$/.exec(text);
    if (literal) return literal[1];
    return text
      .split(".")
      .reduce<unknown>(
        (value, key) =>
          value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined,
        contexts,
      );
  };
  return expression.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, body: string) => {
    const value = body
      .split("||")
      .map((part) => operand(part.trim()))
      .find(Boolean);
    return value === undefined ? "" : String(value);
  });
}

interface JobWithOutputs extends Job {
  outputs?: Record<string, string>;
  env?: Record<string, string>;
}
interface EnvStep extends Step {
  env?: Record<string, string>;
}

/** A job's outputs as the runner resolves them: `steps.<id>.outputs.<key>` from `key=$VAR` lines. */
function jobOutputs(job: JobWithOutputs, contexts: Record<string, unknown>) {
  const stepOutputs: Record<string, { outputs: Record<string, string> }> = {};
  for (const step of job.steps as EnvStep[]) {
    if (!step.id) continue;
    const env = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([k, v]) => [k, evaluate(v, contexts)]),
    );
    const outputs: Record<string, string> = {};
    for (const m of (step.run ?? "").matchAll(/echo "(\w+)=\$(\w+)" >> "\$GITHUB_OUTPUT"/g))
      outputs[m[1]] = env[m[2]] ?? "";
    stepOutputs[step.id] = { outputs };
  }
  return Object.fromEntries(
    Object.entries(job.outputs ?? {}).map(([k, v]) => [
      k,
      evaluate(v, { ...contexts, steps: stepOutputs }),
    ]),
  );
}

describe("the deploy annotation", () => {
  const deploy = workflows["deploy.yml"];
  const jobs = deploy.jobs as Record<string, JobWithOutputs>;
  const [deployName, deployJob] = Object.entries(jobs).find(([, job]) =>
    job.steps.some((s) => s.uses?.startsWith("pulumi/actions@")),
  ) as [string, JobWithOutputs];
  const annotate = deployJob.steps.find((s) => s.run?.includes("npm run annotate-deploy"));
  const TESTED = "1111111111111111111111111111111111111111";
  const MAIN_NOW = "2222222222222222222222222222222222222222";

  /** The annotate-deploy arguments as the runner would pass them for `event`. */
  function annotateArgs(eventName: string, event: Record<string, unknown>, inputs = {}) {
    const contexts = {
      github: { event_name: eventName, event, sha: MAIN_NOW, run_number: 7, actor: "ci-bot" },
      inputs,
    };
    const needs = Object.fromEntries(
      [deployJob.needs ?? []]
        .flat()
        .map((name) => [name, { outputs: jobOutputs(jobs[name], contexts) }]),
    );
    const command = evaluate(String(annotate?.run), { ...contexts, needs });
    const words = command.split(/\s+/);
    const arg = (flag: string) => words[words.indexOf(flag) + 1];
    return {
      arg,
      checkout: evaluate(String(deployJob.steps[0].with?.ref), { ...contexts, needs }),
    };
  }

  it(`${deployName} records the commit CI tested on workflow_run, not main's head at run time`, () => {
    const run = annotateArgs("workflow_run", {
      workflow_run: { head_sha: TESTED, conclusion: "success", event: "push" },
    });
    expect(run.arg("--commit")).toBe(TESTED);
    expect(run.checkout).toBe(TESTED);
  });

  it("records the dispatched commit on workflow_dispatch", () => {
    const run = annotateArgs("workflow_dispatch", {}, { stack: "dr" });
    expect(run.arg("--commit")).toBe(MAIN_NOW);
    expect(run.arg("--stack")).toBe("dr");
  });

  it("marks this stack's deploys on the pipeline dashboard and not on the app's dashboards", () => {
    const service = annotateArgs("workflow_dispatch", {}).arg("--service");
    const posted = deployJob_(service);
    const config = parseStackFileConfig("prod", stackFile("prod"));
    const models = buildDashboards(config);
    const deployFilters = Object.fromEntries(
      Object.values(models).map((m) => [
        m.uid,
        (m.annotations?.list ?? [])
          .map((a) => (a.target as { tags?: string[] } | undefined)?.tags ?? [])
          .filter((tags) => tags.includes("deploy")),
      ]),
    );
    const shows = (uid: string, tags: readonly string[]) =>
      deployFilters[uid].some((filter) => filter.every((t) => tags.includes(t)));
    expect(shows(DashboardUid.monitoringPipeline, posted)).toBe(true);
    const appDeploy = deployJob_(config.service.name);
    for (const uid of Object.values(DashboardUid).filter(
      (u) => u !== DashboardUid.monitoringPipeline,
    )) {
      expect({ uid, monitoring: shows(uid, posted) }).toEqual({ uid, monitoring: false });
      expect({ uid, app: shows(uid, appDeploy) }).toEqual({ uid, app: true });
    }
  });
});

/** The tags the automation service writes for a deploy of `service`. */
function deployJob_(service: string): string[] {
  const job = deployJob({ service, version: "v1", commit: "abcdef1", who: "ci" });
  return job.kind === "create" ? job.annotation.tags : [];
}

describe("the dependency vulnerability review the quarterly CronJob points at", () => {
  const [file, job] = /^\.github\/workflows\/(\S+) \(job (\S+)\)$/
    .exec(VULNERABILITY_REVIEW_IN_CI)
    ?.slice(1) ?? ["", ""];

  it("is a job of a workflow that exists", () => {
    expect(Object.keys(workflows[file]?.jobs ?? {})).toContain(job);
  });

  it("builds the tools, then runs npm audit and govulncheck over them, failing on findings", () => {
    const run = workflows[file].jobs[job].steps as Step[];
    const at = (cmd: string) => run.findIndex((s) => s.run === cmd);
    expect(at("npm run --silent tools")).toBeGreaterThan(at("npm ci --no-audit --no-fund"));
    expect(at("npx tsx scripts/vulnerability-review.ts")).toBeGreaterThan(
      at("npm run --silent tools"),
    );
    expect(readFileSync(join(ROOT, "scripts", "vulnerability-review.ts"), "utf8")).toMatch(
      /vulnerabilityChecks\(ROOT_DIR\)/,
    );
    // Binary mode judges the standard library the tools were built with: the latest patch
    // release, and no cached binaries of an older one.
    const go = run.find((s) => s.uses?.startsWith("actions/setup-go@"));
    expect(go?.with?.["check-latest"]).toBe(true);
    const cache = run.find((s) => s.with?.path === ".tools");
    expect(String(cache?.with?.key)).toContain(`\${{ steps.${go?.id}.outputs.go-version }}`);
    // No `|| true` or continue-on-error: a finding fails the job.
    expect(run.filter((s) => /\|\|/.test(s.run ?? "") || "continue-on-error" in s)).toEqual([]);
  });

  it("also runs on a schedule, for advisories against unchanged dependencies, and never as ci", () => {
    expect(workflows[file].on.schedule).toEqual([{ cron: expect.any(String) }]);
    expect(workflows[file].name).not.toBe(workflows["ci.yml"].name);
  });
});

describe("actionlint", () => {
  it("finds nothing in the workflows (and in their scripts where shellcheck is installed, as in CI)", () => {
    const run = runTool("actionlint", ["-no-color"], ROOT);
    expect(run.output).toBe("");
    expect(run.ok).toBe(true);
  });
});
