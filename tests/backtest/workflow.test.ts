import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { ROOT } from "../support/program";

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Workflow {
  jobs: Record<string, { steps: Step[] }>;
}

const preview = yaml.load(
  readFileSync(join(ROOT, ".github", "workflows", "preview.yml"), "utf8"),
) as Workflow;
const job = preview.jobs.backtest;
const at = (find: (s: Step) => boolean) => job.steps.findIndex(find);
const changes = job.steps.find((s) => s.id === "changes") as Step;
const backtestStep = job.steps.find((s) => s.run?.includes("npm run --silent backtest")) as Step;
const MARKER = "<!-- port8000-backtest -->";

/** Runs the workflow's change detection in a repository where a PR touched `path`. */
function detect(path: string): string {
  const repo = mkdtempSync(join(tmpdir(), "backtest-changes-"));
  const git = (...args: string[]) =>
    spawnSync("git", ["-c", "user.email=ci@example.com", "-c", "user.name=ci", ...args], {
      cwd: repo,
      encoding: "utf8",
    }).stdout.trim();
  git("init", "-q", "-b", "main");
  mkdirSync(join(repo, "alerts"));
  writeFileSync(join(repo, "alerts", "port8000-rules.yml"), "groups: []\n");
  writeFileSync(join(repo, "README.md"), "x\n");
  git("add", ".");
  git("commit", "-qm", "base");
  const base = git("rev-parse", "HEAD");
  mkdirSync(join(repo, path, ".."), { recursive: true });
  writeFileSync(join(repo, path), "changed\n");
  git("add", ".");
  git("commit", "-qm", "head");
  const output = join(repo, "github-output");
  writeFileSync(output, "");
  const env = { ...process.env, BASE: base, HEAD: git("rev-parse", "HEAD"), GITHUB_OUTPUT: output };
  const run = spawnSync("bash", ["-e", "-c", changes.run as string], { cwd: repo, env });
  expect(run.status).toBe(0);
  const detected = readFileSync(output, "utf8").trim();
  rmSync(repo, { recursive: true, force: true });
  return detected;
}

describe("the PR preview's backtest", () => {
  it.each([
    ["alerts/port8000-rules.yml", "changed=true"],
    ["components/config/thresholds.ts", "changed=true"],
    ["Pulumi.prod.yaml", "changed=true"],
    ["README.md", "changed=false"],
    ["components/grafana/index.ts", "changed=false"],
  ])("runs when a PR changes %s: %s", (path, expected) => {
    expect(detect(path)).toBe(expected);
  });

  it("compares the PR's base and head commits and skips every step when nothing changed", () => {
    expect(changes.env).toEqual({
      BASE: `\${{ github.event.pull_request.base.sha }}`,
      HEAD: `\${{ github.event.pull_request.head.sha }}`,
    });
    expect(backtestStep.env).toMatchObject(changes.env as object);
    expect(backtestStep.run).toMatch(
      /npm run --silent backtest -- --base "\$BASE" --head "\$HEAD"/,
    );
    const later = job.steps.slice(at((s) => s.id === "changes") + 1);
    for (const step of later) expect(step.if).toBe("steps.changes.outputs.changed == 'true'");
  });

  it("builds promtool before the backtest and caches the engine and recorded blocks", () => {
    // Only what the backtest runs: a cold cache then builds Prometheus, not the control plane.
    const build = at((s) => s.run === "npm run --silent tools -- --only promtool");
    expect(build).toBeGreaterThanOrEqual(0);
    expect(build).toBeLessThan(at((s) => s === backtestStep));
    const caches = job.steps.filter((s) => s.uses?.startsWith("actions/cache@"));
    expect(caches.map((s) => s.with?.path)).toEqual([".tools", ".local/backtest"]);
    // A partial .tools must not land under the key the preview matrix restores its full one from.
    const keys = (steps: Step[]) =>
      steps.filter((s) => s.with?.path === ".tools").map((s) => String(s.with?.key));
    const otherJobs = Object.entries(preview.jobs)
      .filter(([, j]) => j !== job)
      .flatMap(([, j]) => keys(j.steps));
    expect(otherJobs.length).toBeGreaterThan(0);
    for (const key of keys(job.steps)) expect(otherJobs).not.toContain(key);
    const checkout = job.steps.find((s) => s.uses?.startsWith("actions/checkout@"));
    expect(checkout?.with?.["fetch-depth"]).toBe(0);
  });

  it("posts one marked comment per PR, edited on later pushes", () => {
    expect(backtestStep.run).toContain(`echo "${MARKER}"`);
    const post = job.steps[at((s) => s === backtestStep) + 1];
    expect(post.run).toContain(`startswith("${MARKER}")`);
    expect(post.run).toMatch(/gh api -X PATCH "repos\/\$REPO\/issues\/comments\/\$id"/);
    expect(post.env?.GH_TOKEN).toBe(`\${{ secrets.GITHUB_TOKEN }}`);
  });
});
