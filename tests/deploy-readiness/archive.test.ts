import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fromEngineConfig, parseStackConfig } from "../../components/config/parse";
import { PROJECT } from "../../lib/conventions";
import type { ProgramRun, RecordedResource } from "../../scripts/mock-runtime";
import { named, ofType, ROOT, runStack, stackFile, withConfig } from "../support/program";

// biome-ignore lint/suspicious/noExplicitAny: recorded inputs are untyped JSON, read by path.
type Json = any;

/**
 * The deploy workflow deploys prod on every push and dr only by hand, so prod's first `up` must
 * not need anything the dr stack creates: prod owns the standby region's replica bucket.
 */

const BUCKET = "aws:s3/bucket:Bucket";
const REPLICA = "deia-port8000-log-archive-dr";

function bucketParts(run: ProgramRun, bucketResource: string): RecordedResource[] {
  return run.resources.filter(
    (r) => r.type.startsWith("aws:s3/") && r.inputs.bucket === `${bucketResource}-id`,
  );
}

function archiveProblems(stack: string, archive: Record<string, unknown>): string[] {
  const file = withConfig(stackFile(stack), { archive });
  const { raw, secrets } = fromEngineConfig(file.config, file.secretKeys);
  const result = parseStackConfig(raw, secrets);
  return result.ok ? [] : result.problems;
}

const section = (stack: string) => JSON.parse(stackFile(stack).config[`${PROJECT}:archive`]);

describe("prod's first up (nothing of the dr stack exists yet)", () => {
  let prod: ProgramRun;
  beforeAll(async () => {
    prod = await runStack("prod");
  });

  it("creates the replica bucket itself, in the standby region, protected", () => {
    const replica = ofType(prod, BUCKET).find((b) => b.inputs.bucket === REPLICA);
    expect(replica).toMatchObject({ protect: true, inputs: { region: "us-west-2" } });
  });

  it("makes the replica private, encrypted and versioned, with the archive's lifecycle", () => {
    const replica = ofType(prod, BUCKET).find(
      (b) => b.inputs.bucket === REPLICA,
    ) as RecordedResource;
    const parts = bucketParts(prod, replica.name);
    expect(parts.map((p) => p.type).sort()).toEqual([
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "aws:s3/bucketVersioning:BucketVersioning",
    ]);
    for (const part of parts) expect(part.inputs.region).toBe("us-west-2");
    const lifecycle = (name: string) =>
      bucketParts(prod, name).find((p) => p.type.endsWith("BucketLifecycleConfiguration"))?.inputs
        .rules;
    expect(lifecycle(replica.name)).toEqual(lifecycle("log-archive-bucket"));
  });

  it("replicates only once both buckets are versioned, to the bucket it created", () => {
    const replication = named(prod, "log-archive-replication");
    const versionings = ofType(prod, "aws:s3/bucketVersioning:BucketVersioning").map((v) => v.name);
    expect(versionings).toHaveLength(2);
    expect(replication.dependsOn).toEqual(expect.arrayContaining(versionings));
    expect((replication.inputs as Json).rules[0].destination.bucket).toBe(
      `arn:aws:s3:::${REPLICA}`,
    );
  });
});

describe("the dr stack", () => {
  it("uses the replica prod created and creates no bucket of the same name", async () => {
    const dr = await runStack("dr");
    expect(ofType(dr, BUCKET)).toEqual([]);
    expect(dr.outputs.archiveBucket).toBe(REPLICA);
  });

  it("refuses to replicate a bucket it does not own", () => {
    const problems = archiveProblems("dr", {
      ...section("dr"),
      replicateTo: { bucketName: "elsewhere", region: "us-east-1" },
    });
    expect(problems).toEqual([expect.stringMatching(/^archive\.replicateTo: /)]);
  });
});

describe("archive.replicateTo", () => {
  it("refuses a replica in the stack's own region (not restorable after a regional outage)", () => {
    const problems = archiveProblems("prod", {
      ...section("prod"),
      replicateTo: { bucketName: REPLICA, region: "us-east-1" },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^archive\.replicateTo\.region \("us-east-1"\): /),
    ]);
  });
});

describe("the dr stack before prod ever created the replica", () => {
  it("stops with an error naming the bucket and the bootstrap order", () => {
    const result = spawnSync("npx", ["tsx", join(__dirname, "run-dr-without-replica.ts")], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    if (!result.stdout.startsWith("{")) throw new Error(`child failed: ${result.stderr}`);
    const ended = JSON.parse(result.stdout) as { ok: boolean; detail: string };
    expect(ended.ok).toBe(false);
    expect(ended.detail).toMatch(
      /^archive\.bucketName \("deia-port8000-log-archive-dr"\): archive\.existing is set, but the bucket cannot be read in us-west-2 .*deploy prod first/,
    );
  });
});
