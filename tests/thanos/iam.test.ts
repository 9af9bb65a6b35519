import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { StackConfig } from "../../components/config";
import { type BlockSource, blockSources, sourcePolicy } from "../../components/thanos/bucket";
import { stackConfig } from "../alerts/support";

/**
 * Each Thanos bucket role's policy, judged by an IAM evaluation engine: what the Store Gateway
 * and the Compactor ask S3 for (objstore's S3 client: list, get, put, delete, abort multipart).
 */

const ACCOUNT = "111122223333";

async function decide(
  config: StackConfig,
  source: BlockSource,
  action: string,
  key: string,
  context: Record<string, string> = {},
): Promise<string> {
  const bucket = `arn:aws:s3:::${config.archive.bucketName}`;
  const response = await runSimulation(
    {
      identityPolicies: [{ name: source.role, policy: sourcePolicy(config, source) }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action,
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/port8000-${source.role}/session`,
        resource: {
          accountId: ACCOUNT,
          resource: action === "s3:ListBucket" ? bucket : `${bucket}/${key}`,
        },
        contextVariables: action === "s3:ListBucket" ? { "s3:prefix": key, ...context } : context,
      },
    },
    {},
  );
  if (response.resultType === "error") throw new Error(JSON.stringify(response.errors));
  return response.overallResult;
}

const source = (config: StackConfig, role: BlockSource["role"]) => {
  const found = blockSources(config).find((s) => s.role === role);
  if (!found) throw new Error(`no ${role}`);
  return found;
};

describe.each(["prod", "dr"])("Thanos bucket roles on %s", (stack) => {
  const config = stackConfig(stack);
  const own = `prometheus/${config.deployment.environment}/`;
  const block = `${own}01J0000000000000000000000/chunks/000001`;

  it("let the Store Gateway list and read its prefix, and nothing else", async () => {
    const store = source(config, "store");
    expect(await decide(config, store, "s3:ListBucket", own)).toBe("Allowed");
    expect(await decide(config, store, "s3:GetObject", block)).toBe("Allowed");
    for (const action of ["s3:PutObject", "s3:DeleteObject"])
      expect(await decide(config, store, action, block)).toBe("ImplicitlyDenied");
    expect(await decide(config, store, "s3:GetObject", "logs/2026/01/01/events.gz")).toBe(
      "ImplicitlyDenied",
    );
    expect(await decide(config, store, "s3:ListBucket", "logs/")).toBe("ImplicitlyDenied");
  });

  it("let the Compactor read, write and delete blocks in its prefix only", async () => {
    const compact = source(config, "compact");
    for (const action of [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
    ])
      expect(await decide(config, compact, action, block)).toBe("Allowed");
    const elsewhere = ["logs/x.gz", "snapshots/index-0", "prometheus/other/01J/meta.json"];
    for (const key of elsewhere)
      for (const action of ["s3:PutObject", "s3:DeleteObject"])
        expect(await decide(config, compact, action, key)).toBe("ImplicitlyDenied");
  });
});

it("lets the dr stack's history Store read production's replicated blocks, never change them", async () => {
  const config = stackConfig("dr");
  const history = source(config, "store-history");
  const block = "prometheus/production/01J0000000000000000000000/meta.json";
  expect(await decide(config, history, "s3:ListBucket", "prometheus/production/")).toBe("Allowed");
  expect(await decide(config, history, "s3:GetObject", block)).toBe("Allowed");
  for (const action of ["s3:PutObject", "s3:DeleteObject"])
    expect(await decide(config, history, action, block)).toBe("ImplicitlyDenied");
  expect(await decide(config, history, "s3:GetObject", "prometheus/standby/01J/meta.json")).toBe(
    "ImplicitlyDenied",
  );
});
