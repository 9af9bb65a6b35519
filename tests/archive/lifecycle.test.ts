import { archiveArtifacts } from "../../components/archive/lifecycle";
import { ArtifactPath } from "../../lib/conventions";
import type { ProgramRun } from "../../scripts/mock-runtime";
import { stackConfig } from "../alertmanager/support";
import { named, runStack } from "../support/program";

/**
 * The rendered lifecycle (archive/s3-lifecycle.json, and the replica's) read as S3 applies it to
 * a versioned bucket: an expired object becomes a noncurrent version behind a delete marker, the
 * shortest matching expiry wins, and the marker stays until a rule removes it.
 */

// biome-ignore lint/suspicious/noExplicitAny: rendered JSON, checked field by field below.
type Json = any;

const config = stackConfig("prod");
const { hotDays, warmDays, archiveDays } = config.logging.retention;
const rendered = archiveArtifacts(config);
const REPLICA_FILE = "archive/s3-lifecycle-replica.json";
const rulesOf = (file: string): Json[] => JSON.parse(rendered[file]).Rules;

/** The shape BucketLifecycleConfiguration (@pulumi/aws 7, the S3 API) accepts. */
function shapeProblems(rules: Json[]): string[] {
  const problems: string[] = [];
  const positive = (n: unknown) => Number.isInteger(n) && (n as number) > 0;
  const ids = rules.map((r) => r.ID);
  if (new Set(ids).size !== ids.length) problems.push("rule IDs repeat");
  for (const r of rules) {
    const at = `rule ${r.ID}`;
    if (typeof r.ID !== "string" || r.ID.length === 0 || r.ID.length > 255)
      problems.push(`${at}: ID`);
    if (!["Enabled", "Disabled"].includes(r.Status)) problems.push(`${at}: Status`);
    if (typeof r.Filter?.Prefix !== "string") problems.push(`${at}: Filter.Prefix`);
    const e = r.Expiration;
    if (
      e &&
      ("Days" in e === "ExpiredObjectDeleteMarker" in e || ("Days" in e && !positive(e.Days)))
    )
      problems.push(`${at}: Expiration takes Days or ExpiredObjectDeleteMarker, one of them`);
    if (r.NoncurrentVersionExpiration && !positive(r.NoncurrentVersionExpiration.NoncurrentDays))
      problems.push(`${at}: NoncurrentDays`);
    if (
      r.AbortIncompleteMultipartUpload &&
      !positive(r.AbortIncompleteMultipartUpload.DaysAfterInitiation)
    )
      problems.push(`${at}: DaysAfterInitiation`);
    for (const t of r.Transitions ?? [])
      if (!positive(t.Days) || e?.Days <= t.Days) problems.push(`${at}: transition at ${t.Days}`);
  }
  return problems;
}

interface ObjectLife {
  /** Days the object is current (readable by its key); undefined: never expired by age. */
  readable?: number;
  /** Days after it stops being current until its last version is gone. */
  versionKept?: number;
  deleteMarkerRemoved: boolean;
  uploadsAbortedAfter?: number;
}

const min = (values: (number | undefined)[]) => {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length > 0 ? Math.min(...known) : undefined;
};

function lifeOf(rules: Json[], key: string): ObjectLife {
  const applying = rules.filter((r) => r.Status === "Enabled" && key.startsWith(r.Filter.Prefix));
  return {
    readable: min(applying.map((r) => r.Expiration?.Days)),
    versionKept: min(applying.map((r) => r.NoncurrentVersionExpiration?.NoncurrentDays)),
    deleteMarkerRemoved: applying.some((r) => r.Expiration?.ExpiredObjectDeleteMarker === true),
    uploadsAbortedAfter: min(
      applying.map((r) => r.AbortIncompleteMultipartUpload?.DaysAfterInitiation),
    ),
  };
}

const EVENT = "logs/2026/12/06/ls.s3.a.part0.txt.gz";
const DEAD_LETTER = "logs/dead-letter/2026/12/06/ls.s3.b.part0.txt.gz";
const BLOCK = `prometheus/${config.deployment.environment}/01JEKQ8Z0000000000000000AA/index`;
const SNAPSHOT_FILE = "snapshots/indices/Xq7vAe0eTbC3/0/__9bYtYnQjR0yWm8Ne";

describe.each([ArtifactPath.archiveLifecycle, REPLICA_FILE])("%s", (file) => {
  it("has the shape the S3 lifecycle API accepts", () => {
    expect(shapeProblems(rulesOf(file))).toEqual([]);
  });

  it("keeps events archiveDays and no version of them a day longer", () => {
    for (const key of [EVENT, DEAD_LETTER])
      expect(lifeOf(rulesOf(file), key)).toEqual({
        readable: archiveDays,
        versionKept: 1,
        deleteMarkerRemoved: true,
        uploadsAbortedAfter: expect.any(Number),
      });
  });

  it("leaves no old version, delete marker or upload part of any prefix behind", () => {
    for (const key of [EVENT, BLOCK, SNAPSHOT_FILE]) {
      const life = lifeOf(rulesOf(file), key);
      expect([key, life.versionKept, life.deleteMarkerRemoved]).toEqual([key, 1, true]);
      expect(life.uploadsAbortedAfter).toBeLessThanOrEqual(7);
    }
    expect(lifeOf(rulesOf(file), BLOCK).readable).toBeGreaterThan(0);
  });
});

it("leaves prod's snapshot files to OpenSearch, and expires them on the replica once unused", () => {
  expect(lifeOf(rulesOf(ArtifactPath.archiveLifecycle), SNAPSHOT_FILE).readable).toBeUndefined();
  // Prod's deletes do not replicate; a snapshot kept archiveDays may use an index's oldest segments.
  const replica = lifeOf(rulesOf(REPLICA_FILE), SNAPSHOT_FILE).readable ?? 0;
  expect(replica).toBeGreaterThanOrEqual(hotDays + warmDays + archiveDays);
  expect(replica).toBeLessThanOrEqual(hotDays + warmDays + archiveDays + 14);
});

describe("in the program", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runStack("prod");
  }, 120_000);

  /** The rendered JSON in the provider's field names, as BucketLifecycleConfiguration takes it. */
  const asProviderRule = (r: Json) => ({
    id: r.ID,
    status: r.Status,
    filter: { prefix: r.Filter.Prefix },
    ...(r.Transitions && {
      transitions: r.Transitions.map((t: Json) => ({ days: t.Days, storageClass: t.StorageClass })),
    }),
    ...(r.Expiration && {
      expiration: {
        ...(r.Expiration.Days && { days: r.Expiration.Days }),
        ...(r.Expiration.ExpiredObjectDeleteMarker && { expiredObjectDeleteMarker: true }),
      },
    }),
    ...(r.NoncurrentVersionExpiration && {
      noncurrentVersionExpiration: { noncurrentDays: r.NoncurrentVersionExpiration.NoncurrentDays },
    }),
    ...(r.AbortIncompleteMultipartUpload && {
      abortIncompleteMultipartUpload: {
        daysAfterInitiation: r.AbortIncompleteMultipartUpload.DaysAfterInitiation,
      },
    }),
  });

  it.each([
    ["log-archive-lifecycle", ArtifactPath.archiveLifecycle],
    ["log-archive-replica-lifecycle", REPLICA_FILE],
  ])("%s applies exactly %s", (resource, file) => {
    expect(named(run, resource).inputs.rules).toEqual(rulesOf(file).map(asProviderRule));
  });
});
