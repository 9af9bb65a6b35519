import { ChecksumAnnotation } from "../../components/logging";
import { Chart, PROJECT } from "../../lib/conventions";
import type { ProgramRun } from "../../scripts/mock-runtime";
import { loadChartDefaults } from "../support/chart-values";
import { crdErrors } from "../support/crds";
import { named, ofType, runStack, stackFile, withConfig } from "../support/program";
import { configOf } from "./support";

const runs: Record<string, ProgramRun> = {};
beforeAll(async () => {
  for (const stack of ["prod", "dr", "local"]) runs[stack] = await runStack(stack);
}, 120_000);

type Container = {
  image: string;
  securityContext: Record<string, unknown>;
  resources: { limits: object };
};
const podSpec = (run: ProgramRun, name: string) =>
  (named(run, name).inputs as { spec: { template: { spec: { containers: Container[] } } } }).spec
    .template.spec;

describe.each(["prod", "dr"])("the %s stack's log pipeline", (stack) => {
  const run = () => runs[stack];

  it("declares Filebeat, Logstash, the OpenSearch cluster, its policies and roles", () => {
    const types = new Set(run().resources.map((r) => r.type));
    for (const type of [
      "kubernetes:apps/v1:DaemonSet",
      "kubernetes:apps/v1:StatefulSet",
      "kubernetes:opensearch.org/v1:OpenSearchCluster",
      "kubernetes:opensearch.org/v1:OpensearchRole",
      "kubernetes:opensearch.org/v1:OpensearchUserRoleBinding",
      "kubernetes:opensearch.org/v1:OpensearchIndexTemplate",
      // dr only restores prod's snapshots (tests/deploy-readiness/archive.test.ts).
      ...(stack === "dr" ? [] : ["kubernetes:opensearch.org/v1:OpensearchSnapshotPolicy"]),
      "kubernetes:batch/v1:Job",
    ])
      expect(types).toContain(type);
  });

  it("has only custom resources the pinned operator CRDs accept", () => {
    const resources = run().resources.filter((r) =>
      r.type.startsWith("kubernetes:opensearch.org/"),
    );
    expect(resources.length).toBeGreaterThan(8);
    const errors = resources.flatMap((r) =>
      crdErrors(r.inputs as { apiVersion: string; kind: string }).map((e) => `${r.name}: ${e}`),
    );
    expect(errors).toEqual([]);
  });

  it("installs the operator without cert-manager, which nothing here installs", () => {
    type Webhook = { enabled: boolean; certManager: { enabled: boolean } };
    const chart = `${Chart.opensearchOperator.name}-${Chart.opensearchOperator.version}`;
    const defaults = loadChartDefaults(chart).webhook as Webhook;
    const release = ofType(run(), "kubernetes:helm.sh/v3:Release").find(
      (r) => r.inputs.chart === Chart.opensearchOperator.name,
    );
    const set = (release?.inputs.values as { webhook?: Partial<Webhook> } | undefined)?.webhook;
    const webhook = { ...defaults, ...set };
    const needsCertManager = webhook.enabled && (webhook.certManager?.enabled ?? false);
    expect(needsCertManager).toBe(false);
    expect(JSON.stringify(run().resources)).not.toContain("cert-manager.io");
  });

  it("runs OpenSearch, Dashboards and the operator's init helper by digest", () => {
    const spec = named(run(), "log-search-cluster").inputs.spec as {
      general: { image: string };
      dashboards: { image: string };
      initHelper: { image: string };
    };
    for (const image of [spec.general.image, spec.dashboards.image, spec.initHelper.image])
      expect(image).toMatch(/@sha256:[a-f0-9]{64}$/);
    expect(spec.general.image).toContain(
      `opensearch:${configOf(stack).logging.opensearch.version}@`,
    );
  });

  it("protects the cluster, Logstash's queue volumes and the namespace", () => {
    for (const name of ["log-search-cluster", "log-pipeline-logstash", "log-search-namespace"])
      expect([name, named(run(), name).protect]).toEqual([name, true]);
  });

  it("runs every container from an image pinned by digest, with limits and a read-only root", () => {
    for (const name of ["log-pipeline-filebeat", "log-pipeline-logstash"]) {
      for (const c of podSpec(run(), name).containers) {
        expect(c.image).toMatch(/@sha256:[a-f0-9]{64}$/);
        expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
        expect(c.resources.limits).toBeDefined();
      }
    }
  });

  it("keeps TLS keys and passwords secret", () => {
    for (const name of [
      "log-pipeline-tls-logstash-tls",
      "log-pipeline-tls-filebeat-tls",
      "log-search-admin",
      "log-search-dashboards-secret",
    ])
      expect(named(run(), name).inputs.stringData).toBe("[secret]");
    // The mocks give every tls PrivateKey a PEM key and mark it secret as the provider does;
    // a key that reached a plain input (an annotation, a ConfigMap) would show here.
    expect(named(run(), "log-pipeline-tls-logstash-csr").inputs.privateKeyPem).toBe("[secret]");
    expect(named(run(), "log-search-http-ca").inputs.privateKeyPem).toBe("[secret]");
    expect(JSON.stringify(run().resources)).not.toContain("PRIVATE KEY");
  });

  it("hands the operator the admin's and the Dashboards server's credentials as Secrets it declares", () => {
    const cluster = named(run(), "log-search-cluster").inputs as {
      spec: {
        security: { config: Record<string, { name: string }> };
        dashboards: { opensearchCredentialsSecret: { name: string } };
      };
    };
    const secretName = (resource: string) =>
      (named(run(), resource).inputs as { metadata: { name: string } }).metadata.name;
    const { config } = cluster.spec.security;
    expect(Object.keys(config).sort()).toEqual(["adminCredentialsSecret", "securityConfigSecret"]);
    expect(config.adminCredentialsSecret.name).toBe(secretName("log-search-admin"));
    expect(config.securityConfigSecret.name).toBe(secretName("log-search-security-config"));

    expect(cluster.spec.dashboards.opensearchCredentialsSecret.name).toBe(
      secretName("log-search-dashboards-secret"),
    );
    expect(secretName("log-search-dashboards-secret")).not.toBe(secretName("log-search-admin"));
  });

  it("lets Dashboards sign people in with the SSO, its client secret only in a Secret", () => {
    const dashboards = (
      named(run(), "log-search-cluster").inputs as {
        spec: {
          dashboards: {
            additionalConfig: Record<string, string>;
            env: { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } }[];
          };
        };
      }
    ).spec.dashboards;
    const oidc = named(run(), "log-search-dashboards-oidc").inputs as {
      metadata: { name: string };
      stringData: unknown;
    };
    for (const key of ["openid.client_secret", "cookie.password"]) {
      const setting = dashboards.additionalConfig[`opensearch_security.${key}`];
      const variable = /^\$\{(\w+)\}$/.exec(setting)?.[1];
      const env = dashboards.env.find((e) => e.name === variable);
      expect([key, env?.valueFrom.secretKeyRef.name]).toEqual([key, oidc.metadata.name]);
    }
    expect(oidc.stringData).toBe("[secret]");
  });

  it("lets teams that read the archive decrypt it with the archive key", () => {
    const policy = JSON.parse(
      String(named(run(), "team-access-archive-policy-oncall").inputs.policy),
    );
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      "ArchiveAccess",
      "DecryptArchive",
    ]);
  });

  it("gives Logstash and the snapshots their own IRSA roles", () => {
    const roles = ofType(run(), "aws:iam/role:Role").map((r) => r.name);
    expect(roles).toEqual(
      expect.arrayContaining(["log-archive-logstash-role", "log-archive-snapshots-role"]),
    );
  });
});

describe("rolling the pipeline's pods", () => {
  const annotations = (run: ProgramRun, name: string) =>
    (named(run, name).inputs as { spec: { template: { metadata: { annotations: object } } } }).spec
      .template.metadata.annotations as Record<string, string>;

  it("rolls Logstash, and only Logstash, when its config changes; both carry the TLS checksum", async () => {
    const prod = stackFile("prod");
    const logging = JSON.parse(prod.config[`${PROJECT}:logging`] ?? "{}");
    const edited = await runStack(
      "prod",
      withConfig(prod, {
        logging: { ...logging, logstash: { ...logging.logstash, archiveFlushMinutes: 7 } },
      }),
    );
    const sums = (run: ProgramRun) =>
      ["log-pipeline-logstash", "log-pipeline-filebeat"].map(
        (name) => annotations(run, name)[ChecksumAnnotation.config],
      );
    const [logstashBefore, filebeatBefore] = sums(runs.prod);
    const [logstashAfter, filebeatAfter] = sums(edited);
    expect(logstashAfter).not.toBe(logstashBefore);
    expect(filebeatAfter).toBe(filebeatBefore);
    for (const name of ["log-pipeline-logstash", "log-pipeline-filebeat"])
      expect(annotations(runs.prod, name)[ChecksumAnnotation.tls]).toMatch(/^[0-9a-f]{64}$/);
  }, 60_000);
});

describe.each([
  // The primary is in the provider's (the stack's) region; the replica names its own.
  ["log-archive", undefined],
  ["log-archive-replica", "us-west-2"],
])("prod's %s bucket (hardened)", (prefix, region) => {
  it("has its own rotating customer-managed key, protected, in its region", () => {
    const key = named(runs.prod, `${prefix}-key`);
    expect([key.protect, key.inputs.enableKeyRotation, key.inputs.region]).toEqual([
      true,
      true,
      region,
    ]);
  });

  it("is encrypted with that key by default and refuses other keys and plain HTTP", () => {
    const arn = `arn:aws:kms:us-east-1:000000000000:key/${prefix}-key-key-id`;
    const encryption = named(runs.prod, `${prefix}-encryption`).inputs as {
      rules: { applyServerSideEncryptionByDefault: Record<string, string> }[];
    };
    expect(encryption.rules[0].applyServerSideEncryptionByDefault).toEqual({
      sseAlgorithm: "aws:kms",
      kmsMasterKeyId: arn,
    });
    const policy = JSON.parse(String(named(runs.prod, `${prefix}-policy`).inputs.policy));
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      "DenyInsecureTransport",
      "DenyPutsEncryptedOtherwise",
      "DenyPutsWithAnotherKey",
      "DenyPutsWithTheDefaultAwsKey",
      "DenyPutsWithCustomerKeys",
    ]);
    expect(JSON.stringify(policy)).toContain(arn);
  });
});

describe("prod's replication of the SSE-KMS archive", () => {
  it("selects SSE-KMS objects and re-encrypts them with the replica's key", () => {
    const rules = named(runs.prod, "log-archive-replication").inputs.rules as Record<
      string,
      unknown
    >[];
    expect(rules[0]).toMatchObject({
      sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
      destination: {
        encryptionConfiguration: {
          replicaKmsKeyId: "arn:aws:kms:us-east-1:000000000000:key/log-archive-replica-key-key-id",
        },
      },
    });
  });
});

describe("Grafana's logs datasource user on prod", () => {
  it("exists in OpenSearch with operations.read and its password as a secret", () => {
    const user = named(runs.prod, "log-search-user-grafana-logs-reader").inputs as {
      spec: { opendistroSecurityRoles: string[]; passwordFrom: { name: string } };
    };
    expect(user.spec.opendistroSecurityRoles).toEqual(["operations.read"]);
    const secret = named(runs.prod, "log-search-grafana-user-secret");
    expect((secret.inputs.metadata as { name: string }).name).toBe(user.spec.passwordFrom.name);
    expect(secret.inputs.stringData).toBe("[secret]");
  });
});

describe("log evidence wiring on prod", () => {
  it("gives the evidence poller the OpenSearch client, its credentials and the alert names", () => {
    const code = named(runs.prod, "automation-code").inputs as { data: Record<string, string> };
    expect(code.data["opensearch-client.cjs"].length).toBeGreaterThan(100_000);
    const container = podSpec(runs.prod, "automation-evidence-deployment")
      .containers[0] as unknown as {
      env: { name: string; value?: string }[];
    };
    const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      ALERTMANAGER_URL: "http://kps-alertmanager.monitoring.svc:9093",
      EVIDENCE_POLL_INTERVAL_MS: "30000",
      OPENSEARCH_URL: "https://port8000-logs.logging.svc:9200",
      OPENSEARCH_CLIENT_MODULE: "/app/opensearch-client.cjs",
      EVIDENCE_ERRORS_ALERT: "Port8000HighErrorRate",
      EVIDENCE_CLIENTS_ALERT: "Port8000ConnectionDrops",
      EVIDENCE_MAX_SAMPLES: "20",
    });
    expect(named(runs.prod, "automation-evidence-secret").inputs.stringData).toBe("[secret]");
    const service = podSpec(runs.prod, "automation-deployment").containers[0] as unknown as {
      env: { name: string }[];
    };
    expect(service.env.map((e) => e.name)).not.toContain("OPENSEARCH_URL");
  });
});

describe("the local stack", () => {
  it("declares no resources", () => {
    expect(runs.local.resources.filter((r) => r.custom)).toEqual([]);
  });
});
