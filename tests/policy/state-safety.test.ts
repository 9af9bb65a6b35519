import { type DeclaredResource, lostIdentities, unrecorded, unretained } from "../../policy/ledger";
import ledgers from "../../policy/stateful-ledger.json";
import { runStack } from "../support/program";

/** State safety: what prod and dr hold survives renames, removals and destroys. */

const bucket: DeclaredResource = {
  type: "aws:s3/bucket:Bucket",
  name: "log-archive-bucket",
  parent: "log-archive",
  protect: true,
  retainOnDelete: true,
};

const entry = { type: bucket.type, name: bucket.name, parent: bucket.parent };

describe("the stateful ledger check", () => {
  it("reports a rename without an alias as a lost resource", () => {
    const renamed = { ...bucket, name: "archive-bucket" };
    expect(lostIdentities([entry], [renamed])).toEqual([entry]);
    expect(unrecorded([entry], [renamed])).toEqual([
      { type: bucket.type, name: "archive-bucket", parent: "log-archive" },
    ]);
  });

  it("accepts a rename or a move to another parent that carries an alias", () => {
    const renamed = {
      ...bucket,
      name: "archive-bucket",
      aliases: [{ name: "log-archive-bucket" }],
    };
    const moved = { ...bucket, parent: "archive", aliases: [{ parent: "log-archive" }] };
    expect(lostIdentities([entry], [renamed])).toEqual([]);
    expect(lostIdentities([entry], [moved])).toEqual([]);
  });

  it("reports stateful resources that are not both protected and retained", () => {
    expect(unretained([{ ...bucket, retainOnDelete: false }])).toEqual([
      "aws:s3/bucket:Bucket log-archive-bucket",
    ]);
    expect(unretained([bucket])).toEqual([]);
  });
});

describe.each(["prod", "dr"] as const)("the %s stack", (stack) => {
  let declared: DeclaredResource[];
  beforeAll(async () => {
    declared = (await runStack(stack)).resources;
  }, 60_000);

  it("protects and retains every stateful resource", () => {
    expect(unretained(declared)).toEqual([]);
  });

  it("still answers to every identity in its ledger (renames carry aliases)", () => {
    expect(lostIdentities(ledgers[stack], declared)).toEqual([]);
  });

  it("lists every stateful resource it declares in the ledger", () => {
    expect(unrecorded(ledgers[stack], declared)).toEqual([]);
  });
});
