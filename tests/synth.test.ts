import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseSynthArgs, UsageError } from "../scripts/synth-args";
import { synthCli } from "../scripts/synth-cli";
import { writeArtifacts } from "../scripts/synth-lib";
import { type ChildOutput, childOutput } from "./support/child-output";
import { ROOT } from "./support/program";
import { tempDir } from "./support/temp";
import { tsxNode } from "./support/tsx";

/**
 * `npm run synth` once as the command (a process: exit code, output, files written) and every
 * other case through its in-process entry, synthCli, which the command only wraps: a run of
 * the program costs seconds (in a jest worker about what a spawned synth costs), a refused one
 * (usage, config, --out) nothing of it.
 */

function synthCommand(...args: string[]): Promise<ChildOutput> {
  return childOutput(spawn(...tsxNode(join(ROOT, "scripts", "synth.ts"), args), { cwd: ROOT }));
}

async function synthInProcess(...args: string[]): Promise<ChildOutput> {
  let stdout = "";
  let stderr = "";
  const code = await synthCli(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

const scratch = () => tempDir("synth-test");

/** Every file under dir (relative path → content). */
function tree(dir: string): Map<string, string> {
  const files = (d: string): string[] =>
    readdirSync(d).flatMap((f) =>
      statSync(join(d, f)).isDirectory() ? files(join(d, f)) : [join(d, f)],
    );
  return new Map(files(dir).map((f) => [relative(dir, f), readFileSync(f, "utf8")]));
}

describe("npm run synth", () => {
  const out = join(scratch(), "prod");
  let run: ChildOutput;
  jest.setTimeout(120_000);
  beforeAll(async () => {
    // The command replaces what an earlier synth wrote to the same --out, stale files included.
    writeArtifacts(out, { "stale.txt": "from an earlier synth" });
    run = await synthCommand("--stack", "prod", "--out", out);
  });

  it("exits 0 for prod and writes resources.json with every declared resource", () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const resources = JSON.parse(readFileSync(join(out, "resources.json"), "utf8"));
    expect(resources.length).toBeGreaterThan(20);
    for (const r of resources)
      expect(Object.keys(r).sort()).toEqual([
        "aliases",
        "inputs",
        "name",
        "parent",
        "propertyDependencies",
        "protect",
        "retainOnDelete",
        "type",
      ]);
  });

  it("prints a preview-like summary by component and type, and the validators' verdicts", () => {
    expect(run.stdout).toMatch(/^Stack prod: \d+ resources/);
    expect(run.stdout).toContain("port8000:monitoring:PrometheusStack prometheus");
    expect(run.stdout).toContain("aws:s3/bucket:Bucket");
    expect(run.stdout).toMatch(
      /ok\s+promtool check rules\s+prometheus\/alerts\/port8000-rules.yml/,
    );
  });

  it("never writes a secure value, only the placeholder", () => {
    const ciphertexts =
      readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8").match(/secure: (\S+)/g) ?? [];
    expect(ciphertexts.length).toBeGreaterThan(0);
    const resources = readFileSync(join(out, "resources.json"), "utf8");
    for (const c of ciphertexts) expect(resources).not.toContain(c.replace("secure: ", ""));
    expect(resources).toContain('"[secret]"');
  });

  it("renders the archive lifecycle artifact", () => {
    const lifecycle = JSON.parse(readFileSync(join(out, "archive", "s3-lifecycle.json"), "utf8"));
    expect(lifecycle.Rules[0].Expiration.Days).toBe(180);
  });

  it("replaces its own output on a second run", () => {
    expect(existsSync(join(out, "stale.txt"))).toBe(false);
    expect(existsSync(join(out, "resources.json"))).toBe(true);
  });

  it("never replaces a directory it did not write", async () => {
    const foreign = scratch();
    writeFileSync(join(foreign, "keep.txt"), "mine");
    const refused = await synthInProcess("--stack", "prod", "--out", foreign);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("was not written by synth");
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(tree(foreign)).toEqual(new Map([["keep.txt", "mine"]]));
  });
});

describe("npm run synth with bad input", () => {
  it("lists every config mistake at once, without a stack trace, and writes nothing", async () => {
    const dir = scratch();
    const broken = readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8")
      .replace("prometheusReplicas: 2", "prometheusReplicas: 0")
      .replace("availability: 0.995", "availability: 1.5")
      .replace('channel: "#deia-ops"', "channel: deia-ops");
    writeFileSync(join(dir, "Pulumi.broken.yaml"), broken);
    const result = await synthInProcess(
      "--stack",
      "broken",
      "--config-file",
      join(dir, "Pulumi.broken.yaml"),
      "--out",
      join(dir, "out"),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Invalid config for stack "broken" (3 problems)');
    expect(result.stderr).toMatch(/ha\.prometheusReplicas \(0\)/);
    expect(result.stderr).toMatch(/slo\.availability \(1\.5\)/);
    expect(result.stderr).toMatch(/alerting\.slack\.channel \("deia-ops"\)/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  // Once per kind of error the command reports: a bad flag and a stack file that cannot be read.
  it.each([
    [["--stack", "prod", "--colour", "red"], /unknown argument "--colour"/],
    [["--stack", "nope"], /Pulumi\.nope\.yaml: cannot read the stack file/],
  ])("rejects %j with exit 2 and a message naming the problem", async (args, message) => {
    const result = await synthInProcess(...(args as string[]));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message as RegExp);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  // Every other flag mistake is the same usage error, so its message is checked at the parser.
  it.each([
    [["--stack"], /--stack needs a value/],
    [["--out", "x"], /--stack is required/],
    [["--stack", "prod", "--time-scale", "0"], /--time-scale must be a number >= 1/],
  ])("parsing %j throws a usage error naming the problem", (args, message) => {
    expect(() => parseSynthArgs(args as string[])).toThrow(UsageError);
    expect(() => parseSynthArgs(args as string[])).toThrow(message as RegExp);
  });
});
