import { archiveLifecycle } from "../../components/archive/lifecycle";
import {
  backupPolicy,
  backupPrefix,
  irsaTrustPolicy,
  OBJSTORE_SECRET_KEY,
  OBJSTORE_SECRET_NAME,
  objstoreConfig,
  PROMETHEUS_SERVICE_ACCOUNT,
} from "../../components/prometheus-backup/policy";
import type { ProgramRun } from "../../scripts/mock-runtime";
import { stackConfig } from "../alertmanager/support";
import { crdErrors } from "../support/crds";
import { named, ofType, runStack } from "../support/program";

/** Prometheus blocks to the archive bucket: its own prefix, its lifecycle, least-privilege IRSA. */

const DEPLOYED = ["prod", "dr"] as const;

interface PrometheusValues {
  serviceAccount: { annotations: Record<string, unknown> };
  prometheusSpec: {
    retention: string;
    thanos: { objectStorageConfig: { existingSecret: { name: string; key: string } } };
  };
}

describe.each(DEPLOYED)("the %s stack's backup path", (stack) => {
  const config = stackConfig(stack);
  const prefix = backupPrefix(config);

  it("uploads to the stack's own archive bucket, under prometheus/<environment>/, with IRSA", () => {
    expect(prefix).toBe(`prometheus/${config.deployment.environment}/`);
    expect(objstoreConfig(config)).toEqual({
      type: "S3",
      config: {
        bucket: config.archive.bucketName,
        endpoint: `s3.${config.deployment.region}.amazonaws.com`,
        region: config.deployment.region,
        aws_sdk_auth: true,
      },
      prefix,
    });
  });

  it("may list, read and write under its prefix only, and delete nothing", () => {
    const policy = backupPolicy(config);
    const bucket = `arn:aws:s3:::${config.archive.bucketName}`;
    const actions = policy.Statement.flatMap((s) => [s.Action].flat());
    expect(actions.some((a) => /Delete|\*/.test(a))).toBe(false);
    // The archive key is used through S3 for this bucket only (tests/archive/iam.test.ts).
    for (const statement of policy.Statement.filter((s) => s.Resource !== "*")) {
      const resource = statement.Resource;
      if (resource === bucket) {
        expect(
          [statement.Condition?.StringLikeIfExists["s3:prefix"] ?? []]
            .flat()
            .every((p) => p.startsWith(prefix)),
        ).toBe(true);
      } else {
        expect(resource).toBe(`${bucket}/${prefix}*`);
      }
    }
  });

  it("is kept by its own lifecycle rule, apart from the logs' tiers", () => {
    const rules = archiveLifecycle(config).Rules;
    const own = rules.filter((r) => r.Filter.Prefix && prefix.startsWith(r.Filter.Prefix));
    expect(own).toHaveLength(1);
    expect(own[0].Expiration?.Days).toBeGreaterThanOrEqual(60);
    expect(own[0].Transitions ?? []).toEqual([]);
  });

  it("is assumable only by Prometheus' service account", () => {
    const arn = config.cluster.oidcProviderArn as string;
    const trust = irsaTrustPolicy(arn, config.cluster.namespace, PROMETHEUS_SERVICE_ACCOUNT);
    const conditions = Object.values(trust.Statement[0].Condition.StringEquals);
    expect(conditions).toContain(`system:serviceaccount:monitoring:${PROMETHEUS_SERVICE_ACCOUNT}`);
  });
});

describe("in the program", () => {
  const runs: Partial<Record<string, ProgramRun>> = {};
  beforeAll(async () => {
    for (const stack of [...DEPLOYED, "local"]) runs[stack] = await runStack(stack);
  }, 120_000);
  const run = (stack: string) => runs[stack] as ProgramRun;

  it.each(DEPLOYED)("%s declares the role, its policy and the objstore Secret", (stack) => {
    const config = stackConfig(stack);
    const role = named(run(stack), "prometheus-backup-role");
    expect(role.inputs.name).toBe(`port8000-${config.deployment.environment}-prometheus-backup`);
    const trust = JSON.parse(String(role.inputs.assumeRolePolicy));
    const sub = Object.entries(trust.Statement[0].Condition.StringEquals).find(([key]) =>
      key.endsWith(":sub"),
    )?.[1];
    expect(sub).toBe(`system:serviceaccount:monitoring:${PROMETHEUS_SERVICE_ACCOUNT}`);
    const policy = JSON.parse(
      named(run(stack), "prometheus-backup-policy").inputs.policy as string,
    );
    expect(policy).toEqual(backupPolicy(config));
    const secret = named(run(stack), "prometheus-backup-objstore");
    expect(secret.inputs.metadata).toMatchObject({
      name: OBJSTORE_SECRET_NAME,
      namespace: "monitoring",
    });
  });

  it.each(DEPLOYED)(
    "%s runs the sidecar with the Secret and the role on the service account",
    (stack) => {
      const [release] = ofType(run(stack), "kubernetes:helm.sh/v3:Release").filter(
        (r) => r.inputs.chart === "kube-prometheus-stack",
      );
      const { prometheus } = release.inputs.values as { prometheus: PrometheusValues };
      expect(prometheus.prometheusSpec.thanos.objectStorageConfig.existingSecret).toEqual({
        name: OBJSTORE_SECRET_NAME,
        key: OBJSTORE_SECRET_KEY,
      });
      expect(Object.keys(prometheus.serviceAccount.annotations)).toEqual([
        "eks.amazonaws.com/role-arn",
      ]);
      // The rest of prometheusSpec survives the merge.
      expect(prometheus.prometheusSpec.retention).toBe(
        stackConfig(stack).storage.prometheus.retention,
      );
    },
  );

  it("the local stack declares no backup", () => {
    expect(run("local").resources.filter((r) => r.name.startsWith("prometheus-backup"))).toEqual(
      [],
    );
  });
});

it("the chart's existingSecret becomes a spec.thanos.objectStorageConfig the Prometheus CRD accepts", () => {
  const resource = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Prometheus",
    metadata: { name: "kps-prometheus" },
    spec: {
      thanos: { objectStorageConfig: { name: OBJSTORE_SECRET_NAME, key: OBJSTORE_SECRET_KEY } },
    },
  };
  expect(crdErrors(resource)).toEqual([]);
  const wrong = { ...resource, spec: { thanos: { objectStorageConfig: { secret: "x" } } } };
  expect(crdErrors(wrong)).not.toEqual([]);
});
