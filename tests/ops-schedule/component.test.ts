import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PINNED_IMAGE } from "../../components/config/images";
import type { ProgramRun, RecordedResource } from "../../scripts/mock-runtime";
import { named, ofType, runStack } from "../support/program";

/** What `pulumi up --stack prod` declares to run the checklists by themselves. */

jest.setTimeout(120_000);

let prod: ProgramRun;
beforeAll(async () => {
  prod = await runStack("prod");
});

type CronSpec = {
  schedule: string;
  timeZone: string;
  concurrencyPolicy: string;
  successfulJobsHistoryLimit: number;
  failedJobsHistoryLimit: number;
  jobTemplate: { spec: { backoffLimit: number; template: { spec: PodSpec } } };
};
type PodSpec = {
  serviceAccountName: string;
  securityContext: Record<string, unknown>;
  containers: {
    image: string;
    command: string[];
    args: string[];
    resources: { limits: Record<string, string> };
    securityContext: Record<string, unknown>;
  }[];
};

const cron = (routine: string): CronSpec =>
  named(prod, `ops-schedule-${routine}`).inputs.spec as CronSpec;

describe("OpsSchedule (prod)", () => {
  it("one CronJob per checklist: every morning, Mondays, the 1st, in the on-call's zone", () => {
    expect(
      ofType(prod, "kubernetes:batch/v1:CronJob")
        .filter((r) => r.parent === "ops-schedule")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["ops-schedule-daily", "ops-schedule-monthly", "ops-schedule-weekly"]);
    expect(["daily", "weekly", "monthly"].map((r) => cron(r).schedule)).toEqual([
      "0 7 * * *",
      "0 8 * * 1",
      "0 9 1 * *",
    ]);
    for (const r of ["daily", "weekly", "monthly"]) {
      expect(cron(r)).toMatchObject({
        timeZone: "America/Chicago",
        concurrencyPolicy: "Forbid",
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 5,
      });
      expect(cron(r).jobTemplate.spec.backoffLimit).toBe(0);
    }
  });

  it("runs the CLI from a pinned image, restricted, with limits, and the summary to Slack", () => {
    const pod = cron("daily").jobTemplate.spec.template.spec;
    const [c] = pod.containers;
    expect(c.image).toMatch(PINNED_IMAGE);
    expect(c.command).toEqual(["node"]);
    expect(c.args).toEqual([
      "/opt/ops/run.cjs",
      "daily",
      "--prometheus",
      "http://kps-prometheus.monitoring.svc:9090",
      "--alertmanager",
      "http://kps-alertmanager.monitoring.svc:9093",
      "--out",
      "/work/reports",
      "--slack-webhook-file",
      "/var/run/secrets/port8000-ops/slack-webhook-url",
    ]);
    expect(c.resources.limits.memory).toBe("512Mi");
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(named(prod, "ops-schedule-slack").inputs.stringData).toBe("[secret]");
  });

  it("only the monthly run uploads, to the archive under metrics/monthly/", () => {
    const args = cron("monthly").jobTemplate.spec.template.spec.containers[0].args;
    expect(args.slice(-4)).toEqual([
      "--upload-bucket",
      "deia-port8000-log-archive-prod",
      "--upload-prefix",
      "metrics/monthly/",
    ]);
    expect(cron("weekly").jobTemplate.spec.template.spec.containers[0].args).not.toContain(
      "--upload-bucket",
    );
  });

  it("least privilege: no API token, an IRSA role that may only put metrics/monthly/*", () => {
    const sa = named(prod, "ops-schedule-sa");
    expect(sa.inputs.automountServiceAccountToken).toBe(false);
    const role = named(prod, "log-archive-opsReports-role");
    expect((sa.inputs.metadata as { annotations: Record<string, string> }).annotations).toEqual({
      "eks.amazonaws.com/role-arn": `arn:aws:iam::000000000000:role/${role.inputs.name}`,
    });
    const trust = JSON.parse(role.inputs.assumeRolePolicy as string);
    expect(JSON.stringify(trust)).toContain("system:serviceaccount:monitoring:port8000-ops");
    const policy = JSON.parse(named(prod, "log-archive-opsReports-policy").inputs.policy as string);
    const s3 = policy.Statement.filter((s: { Action: unknown }) =>
      JSON.stringify(s.Action).includes("s3:"),
    );
    expect(s3).toEqual([
      {
        Sid: "OwnPrefixObjects",
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
        Resource: "arn:aws:s3:::deia-port8000-log-archive-prod/metrics/monthly/*",
      },
    ]);
  });

  it("egress only to Prometheus, Alertmanager, DNS and public HTTPS; no ingress", () => {
    const spec = named(prod, "ops-schedule-network").inputs.spec as {
      policyTypes: string[];
      ingress: unknown[];
      egress: { ports: { port: number }[]; to: Record<string, unknown>[] }[];
    };
    expect(spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(spec.ingress).toEqual([]);
    expect(spec.egress.map((e) => e.ports.map((p) => p.port))).toEqual([
      [9090],
      [9093],
      [53, 53],
      [443],
    ]);
    expect(spec.egress[3].to[0]).toMatchObject({ ipBlock: { cidr: "0.0.0.0/0" } });
    expect(JSON.stringify(spec.egress[3].to[0])).toContain("10.0.0.0/8");
  });

  it("the ConfigMap's bundle is the ops CLI: unpacked by the loader it answers like npm run ops", () => {
    const code = named(prod, "ops-schedule-code") as RecordedResource;
    const dir = mkdtempSync(join(tmpdir(), "ops-bundle-"));
    try {
      const data = code.inputs.data as Record<string, string>;
      const binary = code.inputs.binaryData as Record<string, string>;
      writeFileSync(join(dir, "run.cjs"), data["run.cjs"]);
      writeFileSync(join(dir, "ops.cjs.gz"), Buffer.from(binary["ops.cjs.gz"], "base64"));
      const run = (...args: string[]) =>
        spawnSync("node", [join(dir, "run.cjs"), ...args], {
          env: { ...process.env, OPS_WORK_DIR: dir },
          encoding: "utf8",
        });
      const bad = run("daily", "--prometheus", "nope", "--alertmanager", "http://127.0.0.1:1");
      expect({ code: bad.status, err: bad.stderr.trim() }).toEqual({
        code: 2,
        err: expect.stringMatching(/^ops: .*--prometheus.*http\(s\) URL/),
      });
      const down = run(
        "weekly",
        "--prometheus",
        "http://127.0.0.1:9",
        "--alertmanager",
        "http://127.0.0.1:9",
      );
      expect(down.status).toBe(2);
      expect(down.stderr).toMatch(/cannot reach Prometheus at http:\/\/127\.0\.0\.1:9/);
      expect(
        Buffer.byteLength(binary["ops.cjs.gz"]) + Buffer.byteLength(data["run.cjs"]),
      ).toBeLessThan(1024 * 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
