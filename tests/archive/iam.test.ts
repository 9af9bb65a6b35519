import { anonymousPrincipal } from "@cloud-copilot/iam-simulate";
import type { StackConfig } from "../../components/config/schema";
import { stackConfig } from "../alertmanager/support";
import { runStack } from "../support/program";
import {
  type ArchiveClient,
  type ClientRequest,
  logstash,
  monthlyReports,
  restoringSnapshots,
  snapshots,
  thanosSidecar,
} from "./clients";
import { type AwsRequest, decide, type Policy } from "./engine";
import {
  type ArchiveBucketFacts,
  type RecordedArchive,
  type RoleFacts,
  recordedArchive,
  roleOfService,
  roleOfServiceAccount,
} from "./recorded";

/**
 * Every archive client's real requests, judged by an IAM engine against the policies the program
 * declares: the role's inline policies, the bucket policy and the key policy. Each client may do
 * what it does, under its own prefix, and nothing else; no one else may do anything.
 */

interface Scenario {
  readonly stack: string;
  readonly config: StackConfig;
  readonly roles: () => RecordedArchive;
  readonly bucket: () => ArchiveBucketFacts;
  readonly clients: ArchiveClient[];
}

const prodConfig = stackConfig("prod");
const drConfig = stackConfig("dr");
const ACCOUNT = (prodConfig.cluster.oidcProviderArn as string).split(":")[4];
const recorded: Record<string, RecordedArchive> = {};

beforeAll(async () => {
  for (const [stack, config] of [
    ["prod", prodConfig],
    ["dr", drConfig],
  ] as const)
    recorded[stack] = recordedArchive(await runStack(stack), ACCOUNT, config.deployment.region);
}, 120_000);

const SCENARIOS: Scenario[] = [
  {
    stack: "prod",
    config: prodConfig,
    roles: () => recorded.prod,
    bucket: () => recorded.prod.buckets[prodConfig.archive.bucketName],
    clients: [logstash, snapshots, thanosSidecar, monthlyReports],
  },
  {
    // The dr stack writes into the replica prod created: its policies are prod's declarations.
    stack: "dr",
    config: drConfig,
    roles: () => recorded.dr,
    bucket: () => recorded.prod.buckets[drConfig.archive.bucketName],
    clients: [logstash, restoringSnapshots, thanosSidecar, monthlyReports],
  },
];

const session = (role: RoleFacts) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role.name}/session`;

function s3(
  principal: AwsRequest["principal"],
  policies: readonly Policy[],
  bucket: ArchiveBucketFacts,
  request: ClientRequest,
  context: Record<string, string> = {},
): AwsRequest {
  return {
    principal,
    action: request.action,
    resource: request.key === undefined ? bucket.arn : `${bucket.arn}/${request.key}`,
    account: ACCOUNT,
    context: { "aws:SecureTransport": "true", ...request.context, ...context },
    identityPolicies: policies,
    resourcePolicy: bucket.bucketPolicy,
  };
}

function kms(
  role: RoleFacts,
  bucket: ArchiveBucketFacts,
  action: string,
  context: Record<string, string> = {},
): AwsRequest {
  return {
    principal: session(role),
    action,
    resource: bucket.keyArn,
    account: ACCOUNT,
    context: {
      "aws:SecureTransport": "true",
      "kms:CallerAccount": ACCOUNT,
      "kms:ViaService": `s3.${bucket.region}.amazonaws.com`,
      // What S3 sends for an object of this bucket, given its declared encryption.
      "kms:EncryptionContext:aws:s3:arn": bucket.keyContextFor("logs/2026/12/06/x.txt.gz"),
      ...context,
    },
    identityPolicies: role.policies,
    resourcePolicy: bucket.keyPolicy,
  };
}

/** [what, decision] of each request, to compare as a table. */
async function judged(entries: [string, AwsRequest][]): Promise<[string, string][]> {
  return Promise.all(entries.map(async ([what, r]) => [what, await decide(r)] as [string, string]));
}

const writes = (client: ArchiveClient, prefix: string) =>
  client.requests(prefix).some((r) => r.action === "s3:PutObject");

describe.each(SCENARIOS)("the $stack stack's archive", (scenario) => {
  const environment = scenario.config.deployment.environment;
  const roleOf = (client: ArchiveClient) =>
    roleOfServiceAccount(scenario.roles(), client.namespace, client.serviceAccount);

  describe.each(scenario.clients)("$label", (client) => {
    const prefix = client.prefix(environment);

    it("may make every request its client makes, with the headers it sends", async () => {
      const role = roleOf(client);
      const bucket = scenario.bucket();
      const keyActions = writes(client, prefix)
        ? ["kms:GenerateDataKey", "kms:Decrypt"]
        : ["kms:Decrypt"];
      const requests: [string, AwsRequest][] = [
        ...client
          .requests(prefix)
          .map((r): [string, AwsRequest] => [r.what, s3(session(role), role.policies, bucket, r)]),
        ...keyActions.map((a): [string, AwsRequest] => [a, kms(role, bucket, a)]),
      ];
      expect(await judged(requests)).toEqual(requests.map(([what]) => [what, "Allowed"]));
    });

    it("may do nothing else, and nothing under another prefix", async () => {
      const role = roleOf(client);
      const bucket = scenario.bucket();
      const elsewhere = ["logs/", "snapshots/", "prometheus/production/", "prometheus/standby/"]
        .filter((other) => !other.startsWith(prefix) && !prefix.startsWith(other))
        .map((other) => client.put(other));
      const requests = [...client.refused(prefix), ...elsewhere].map((r): [string, AwsRequest] => [
        `${r.what} ${r.key ?? ""}`,
        s3(session(role), role.policies, bucket, r),
      ]);
      expect(requests.length).toBeGreaterThan(0);
      expect(await judged(requests)).toEqual(requests.map(([what]) => [what, "ImplicitlyDenied"]));
    });

    // S3 answers a GET/HEAD of a missing key with 404 only if the caller may s3:ListBucket; else
    // 403, which the Thanos shipper (objstore `Exists`: only NoSuchKey means absent) and
    // repository-s3 (`blobExists`, index.latest) treat as a failure. AWS does not document
    // which s3:prefix, if any, that implicit check carries: S3-compatible servers that copy it
    // pass the key (Ceph RGW, Swift s3api); it must pass with the key and with none.
    it("gets 404, not 403, for a missing key under its prefix; lists no other prefix", async () => {
      const lists = client.requests(prefix).some((r) => r.action === "s3:ListBucket");
      if (!lists)
        return expect(client.refused(prefix).map((r) => r.action)).toContain("s3:ListBucket");
      const role = roleOf(client);
      const bucket = scenario.bucket();
      const missing = `${prefix}01JEKQ8Z0000000000000000ZZ/meta.json`;
      const implicit = (context: Record<string, string>): AwsRequest =>
        s3(session(role), role.policies, bucket, {
          what: "implicit list check",
          action: "s3:ListBucket",
          context,
        });
      const others = ["logs/", "snapshots/", "prometheus/production/", "prometheus/standby/"]
        .filter((other) => !other.startsWith(prefix) && !prefix.startsWith(other))
        .map((other): [string, AwsRequest] => [`list ${other}`, implicit({ "s3:prefix": other })]);
      const requests: [string, AwsRequest][] = [
        ["check without s3:prefix", implicit({})],
        ["check with the key as s3:prefix", implicit({ "s3:prefix": missing })],
        ...others,
      ];
      expect(others.length).toBeGreaterThan(0);
      expect(await judged(requests)).toEqual([
        ["check without s3:prefix", "Allowed"],
        ["check with the key as s3:prefix", "Allowed"],
        ...others.map(([what]) => [what, "ImplicitlyDenied"]),
      ]);
    });

    it("may use the key only through S3, for this bucket", async () => {
      const role = roleOf(client);
      const bucket = scenario.bucket();
      const direct = kms(role, bucket, "kms:Decrypt", { "kms:ViaService": "" });
      const other = kms(role, bucket, "kms:Decrypt", {
        "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::someone-elses-bucket",
      });
      expect(
        await judged([
          ["direct", direct],
          ["other bucket", other],
        ]),
      ).toEqual([
        ["direct", "ImplicitlyDenied"],
        ["other bucket", "ImplicitlyDenied"],
      ]);
    });
  });

  const writers = scenario.clients.filter((c) => writes(c, c.prefix(environment)));

  it.each(writers.map((c) => [c.label, c] as const))(
    "%s cannot put without TLS or under any key but the archive's",
    async (_label, client) => {
      const role = roleOf(client);
      const bucket = scenario.bucket();
      const put = client.put(client.prefix(environment));
      const SSE = "s3:x-amz-server-side-encryption";
      const KEY = "s3:x-amz-server-side-encryption-aws-kms-key-id";
      const otherKey = bucket.keyArn.replace(/key\/.*/, "key/11111111-2222-4333-8444-555555555555");
      const variants: [string, Record<string, string>][] = [
        ["no TLS", { "aws:SecureTransport": "false" }],
        ["AES256", { [SSE]: "AES256" }],
        ["DSSE-KMS", { [SSE]: "aws:kms:dsse", [KEY]: bucket.keyArn }],
        ["another key", { [SSE]: "aws:kms", [KEY]: otherKey }],
        ["aws/s3 (no key named)", { [SSE]: "aws:kms" }],
        ["a customer key", { "s3:x-amz-server-side-encryption-customer-algorithm": "AES256" }],
        ["the archive key named", { [SSE]: "aws:kms", [KEY]: bucket.keyArn }],
      ];
      const requests = variants.map(([what, context]): [string, AwsRequest] => [
        what,
        s3(session(role), role.policies, bucket, put, context),
      ]);
      expect(await judged(requests)).toEqual([
        ...variants.slice(0, -1).map(([what]) => [what, "ExplicitlyDenied"]),
        ["the archive key named", "Allowed"],
      ]);
    },
  );

  it("lets no one else in: anonymous, a role without a grant, another account's admin", async () => {
    const bucket = scenario.bucket();
    const s3Admin: Policy = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["s3:*", "kms:*"], Resource: "*" }],
    };
    const read: ClientRequest = { what: "read", action: "s3:GetObject", key: "logs/2026/x.gz" };
    const put = logstash.put("logs/");
    const outsider = "arn:aws:sts::999988887777:assumed-role/admin/session";
    const stranger = `arn:aws:sts::${ACCOUNT}:assumed-role/port8000-unrelated/session`;
    const requests: [string, AwsRequest][] = [
      ["anonymous read", s3(anonymousPrincipal, [], bucket, read)],
      ["anonymous put", s3(anonymousPrincipal, [], bucket, put)],
      ["ungranted role read", s3(stranger, [], bucket, read)],
      ["ungranted role put", s3(stranger, [], bucket, put)],
      ["other account read", s3(outsider, [s3Admin], bucket, read)],
      ["other account put", s3(outsider, [s3Admin], bucket, put)],
    ];
    expect(await judged(requests)).toEqual(requests.map(([what]) => [what, "ImplicitlyDenied"]));
  });
});

describe("the archive keys' grants hold only for how the buckets encrypt", () => {
  // Every grant names the bucket ARN as encryption context: true only with S3 Bucket Keys on,
  // and only if the bucket's default encryption is its own key.
  it.each([prodConfig.archive.bucketName, prodConfig.archive.replicateTo?.bucketName as string])(
    "%s: SSE-KMS by default with its own key and a bucket key",
    (name) => {
      const bucket = recorded.prod.buckets[name];
      expect([bucket.defaultKeyArn, bucket.keyContextFor("logs/x")]).toEqual([
        bucket.keyArn,
        bucket.arn,
      ]);
    },
  );
});

describe("prod's replication to the standby region", () => {
  it("may read the sources and write the replicas, each through its own key", async () => {
    const archive = recorded.prod;
    const role = roleOfService(archive, "s3.amazonaws.com");
    const source = archive.buckets[prodConfig.archive.bucketName];
    const replica = archive.buckets[prodConfig.archive.replicateTo?.bucketName as string];
    const object = "logs/2026/12/06/ls.s3.a.part0.txt.gz";
    const on = (bucket: ArchiveBucketFacts, action: string, key?: string): AwsRequest =>
      s3(session(role), role.policies, bucket, { what: action, action, key });
    const requests: [string, AwsRequest][] = [
      ["read configuration", on(source, "s3:GetReplicationConfiguration")],
      ["list source", on(source, "s3:ListBucket")],
      ["read source version", on(source, "s3:GetObjectVersionForReplication", object)],
      ["write replica", on(replica, "s3:ReplicateObject", object)],
      ["decrypt source", kms(role, source, "kms:Decrypt")],
      ["encrypt replica", kms(role, replica, "kms:Encrypt")],
      ["replica bucket key", kms(role, replica, "kms:GenerateDataKey")],
    ];
    expect(await judged(requests)).toEqual(requests.map(([what]) => [what, "Allowed"]));
    const misuse: [string, AwsRequest][] = [
      ["put into the replica", on(replica, "s3:PutObject", object)],
      ["delete a source", on(source, "s3:DeleteObject", object)],
      ["decrypt with the replica key", kms(role, replica, "kms:Decrypt")],
      [
        "source key for another bucket",
        kms(role, source, "kms:Decrypt", {
          "kms:EncryptionContext:aws:s3:arn": replica.arn,
        }),
      ],
    ];
    expect(await judged(misuse)).toEqual(misuse.map(([what]) => [what, "ImplicitlyDenied"]));
  });
});
