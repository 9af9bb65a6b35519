import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fromEngineConfig, parseStackConfig } from "../../components/config/parse";
import { loggingArtifacts } from "../../components/logging/artifacts";
import { objstoreConfig } from "../../components/prometheus-backup/policy";
import { PROJECT } from "../../lib/conventions";
import type { ProgramRun, RecordedResource } from "../../scripts/mock-runtime";
import { stackConfig } from "../alertmanager/support";
import { named, ofType, ROOT, runStack, stackFile, withConfig } from "../support/program";
import { tsxNode } from "../support/tsx";

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

let prod: ProgramRun;
beforeAll(async () => {
  prod = await runStack("prod");
});

describe("prod's first up (nothing of the dr stack exists yet)", () => {
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
      // The bucket policy of the archive's hardening (TLS only, SSE-KMS with its key only).
      "aws:s3/bucketPolicy:BucketPolicy",
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "aws:s3/bucketVersioning:BucketVersioning",
    ]);
    for (const part of parts) expect(part.inputs.region).toBe("us-west-2");
  });

  it("expires on the replica every prefix it replicates, snapshot files once no snapshot needs them", () => {
    const replica = ofType(prod, BUCKET).find(
      (b) => b.inputs.bucket === REPLICA,
    ) as RecordedResource;
    const rules = (bucketParts(prod, replica.name).find((p) =>
      p.type.endsWith("BucketLifecycleConfiguration"),
    )?.inputs.rules ?? []) as Json[];
    const replicated = (named(prod, "log-archive-replication").inputs as Json).rules.map(
      (r: Json) => r.filter.prefix,
    );
    expect(replicated.length).toBeGreaterThan(0);
    const expiryOf = (prefix: string) =>
      rules
        .filter((r) => r.status === "Enabled" && prefix.startsWith(r.filter.prefix))
        .map((r) => r.expiration?.days)
        .filter((days): days is number => typeof days === "number");
    for (const prefix of replicated) expect([prefix, expiryOf(prefix).length]).toEqual([prefix, 1]);
    // Deletes in prod are not replicated: a file lives on the replica until this expiry, and a
    // restorable snapshot (kept archiveDays) may use segments as old as the index (hot + warm).
    const { hotDays, warmDays, archiveDays } = JSON.parse(
      stackFile("prod").config[`${PROJECT}:logging`],
    ).retention;
    expect(expiryOf("snapshots/")[0]).toBeGreaterThanOrEqual(hotDays + warmDays + archiveDays);
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
  let dr: ProgramRun;
  beforeAll(async () => {
    dr = await runStack("dr");
  });

  it("uses the replica prod created and creates no bucket of the same name", () => {
    expect(ofType(dr, BUCKET)).toEqual([]);
    expect(dr.outputs.archiveBucket).toBe(REPLICA);
  });

  it("registers prod's snapshot repository read-only and runs no snapshot policy on it", () => {
    const repository = (run: ProgramRun) =>
      (named(run, "log-search-cluster").inputs as Json).spec.general.snapshotRepositories[0];
    const policies = (run: ProgramRun) =>
      run.resources.filter((r) => r.inputs.kind === "OpensearchSnapshotPolicy");
    expect([repository(dr).settings.readonly, policies(dr)]).toEqual(["true", []]);
    expect(repository(dr).settings.bucket).toBe(REPLICA);
    // prod still snapshots into its own bucket.
    expect([repository(prod).settings.readonly, policies(prod).length]).toEqual([undefined, 1]);
  });

  it("renders no snapshot policy file for a stack whose snapshots are read-only", () => {
    const file = "logging/opensearch/snapshot-policy.json";
    expect(file in loggingArtifacts(stackConfig("dr"))).toBe(false);
    expect(JSON.parse(loggingArtifacts(stackConfig("prod"))[file]).policyName).toBeTruthy();
  });

  it("backs Prometheus up under its own environment's prefix, apart from prod's", () => {
    // The replica holds prod's blocks (replicated) and dr's own (written there): two prefixes,
    // neither inside the other; the dr role cannot reach prod's (tests/archive/iam.test.ts).
    const [ours, prods] = ["dr", "prod"].map((stack) => objstoreConfig(stackConfig(stack)).prefix);
    expect([ours, prods]).toEqual(["prometheus/standby/", "prometheus/production/"]);
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
    const result = spawnSync(...tsxNode(join(__dirname, "run-dr-without-replica.ts")), {
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
