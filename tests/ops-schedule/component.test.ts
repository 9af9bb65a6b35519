import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PINNED_IMAGE } from "../../components/config/images";
import { OPS_ROUTINES as ROUTINES } from "../../components/config/ops";
import type { ProgramRun, RecordedResource } from "../../scripts/mock-runtime";
import { childOutput } from "../support/child-output";
import { listen, loadTarget, standIn } from "../support/ops-stand-in";
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
  jobTemplate: {
    spec: { backoffLimit: number; activeDeadlineSeconds: number; template: { spec: PodSpec } };
  };
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
  it("one CronJob per checklist: every morning, Mondays, the 1st, each quarter's first day, in the on-call's zone", () => {
    expect(
      ofType(prod, "kubernetes:batch/v1:CronJob")
        .filter((r) => r.parent === "ops-schedule")
        .map((r) => r.name)
        .sort(),
    ).toEqual([
      "ops-schedule-daily",
      "ops-schedule-monthly",
      "ops-schedule-quarterly",
      "ops-schedule-weekly",
    ]);
    expect(ROUTINES.map((r) => cron(r).schedule)).toEqual([
      "0 7 * * *",
      "0 8 * * 1",
      "0 9 1 * *",
      "0 11 1 1,4,7,10 *",
    ]);
    for (const r of ROUTINES) {
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
      "--registry",
      "http://port8000.port8000.svc.cluster.local:8000/registry",
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

  it("monthly runs the guide's 30-minute load test against Port 8000's Service, within its deadline", () => {
    const job = cron("monthly").jobTemplate.spec;
    const args = job.template.spec.containers[0].args;
    const from = args.indexOf("--load-test");
    expect(args.slice(from, from + 7)).toEqual([
      "--load-test",
      "--target",
      "http://port8000.port8000.svc.cluster.local:8000/health",
      "--duration",
      "1800s",
      "--connections",
      "10",
    ]);
    expect(args).not.toContain("--rate");
    expect(job.activeDeadlineSeconds).toBeGreaterThan(1800);
    expect(cron("daily").jobTemplate.spec.template.spec.containers[0].args).not.toContain(
      "--load-test",
    );
  });

  it("quarterly names CI as where the vulnerability review runs", () => {
    const args = cron("quarterly").jobTemplate.spec.template.spec.containers[0].args;
    expect(args[1]).toBe("quarterly");
    const at = args.indexOf("--vulnerability-review-in-ci");
    expect(args[at + 1]).toBe(".github/workflows/vulnerabilities.yml (job review)");
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

  it("quarterly alone reviews bindings live: its own account, a token, list-only RBAC", () => {
    const pod = cron("quarterly").jobTemplate.spec.template.spec as PodSpec & {
      automountServiceAccountToken: boolean;
    };
    expect([pod.serviceAccountName, pod.automountServiceAccountToken]).toEqual([
      "port8000-ops-access-review",
      true,
    ]);
    const args = pod.containers[0].args;
    expect(
      args.slice(args.indexOf("--expected-access"), args.indexOf("--expected-access") + 4),
    ).toEqual(["--expected-access", "/opt/ops/access.json", "--kubernetes", "in-cluster"]);
    for (const r of ["daily", "weekly", "monthly"]) {
      const other = cron(r).jobTemplate.spec.template.spec as PodSpec & {
        automountServiceAccountToken: boolean;
      };
      expect([other.serviceAccountName, other.automountServiceAccountToken]).toEqual([
        "port8000-ops",
        false,
      ]);
    }
    const rules = (role: string) => named(prod, role).inputs.rules;
    expect(rules("ops-schedule-review-role")).toEqual([
      { apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["list"] },
    ]);
    expect(rules("ops-schedule-review-clusterrole")).toEqual([
      {
        apiGroups: ["rbac.authorization.k8s.io"],
        resources: ["clusterrolebindings"],
        verbs: ["list"],
      },
    ]);
    const access = JSON.parse(
      (named(prod, "ops-schedule-code").inputs.data as Record<string, string>)["access.json"],
    );
    expect(access.roleBindings.map((b: { metadata: { name: string } }) => b.metadata.name)).toEqual(
      ofType(prod, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")
        .filter((r) => r.parent === "team-access")
        .map((r) => (r.inputs.metadata as { name: string }).name),
    );
  });

  it("egress per routine: what it talks to and nothing else; no ingress", () => {
    type Egress = { ports: { port: number }[]; to?: Record<string, unknown>[] };
    const policy = (routine: string) =>
      named(prod, `ops-schedule-network-${routine}`).inputs.spec as {
        podSelector: { matchLabels: Record<string, string> };
        policyTypes: string[];
        ingress: unknown[];
        egress: Egress[];
      };
    const ports = (routine: string) =>
      policy(routine).egress.map((e) => e.ports.map((p) => p.port));
    const common = [[9090], [9093], [53, 53], [443]];
    expect(ports("weekly")).toEqual(common);
    expect(ports("daily")).toEqual([...common, [8000]]);
    expect(ports("monthly")).toEqual([...common, [8000]]);
    expect(ports("quarterly")).toEqual([...common, [443, 6443]]);
    for (const routine of ROUTINES) {
      const spec = policy(routine);
      expect(spec.policyTypes).toEqual(["Ingress", "Egress"]);
      expect(spec.ingress).toEqual([]);
      expect(spec.podSelector.matchLabels["port8000/routine"]).toBe(routine);
      // Each policy selects its own routine's pods: the labels the CronJob's pods carry.
      const podLabels = (
        named(prod, `ops-schedule-${routine}`).inputs.spec as {
          jobTemplate: { spec: { template: { metadata: { labels: Record<string, string> } } } };
        }
      ).jobTemplate.spec.template.metadata.labels;
      expect(podLabels).toMatchObject(spec.podSelector.matchLabels);
      expect(spec.egress[3].to?.[0]).toMatchObject({ ipBlock: { cidr: "0.0.0.0/0" } });
      expect(JSON.stringify(spec.egress[3].to?.[0])).toContain("10.0.0.0/8");
    }
    expect(policy("daily").egress[4].to).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "port8000" } } },
    ]);
  });

  it("the ConfigMap's bundle is the ops CLI: unpacked by the loader it answers like npm run ops", async () => {
    const code = named(prod, "ops-schedule-code") as RecordedResource;
    const dir = mkdtempSync(join(tmpdir(), "ops-bundle-"));
    try {
      const data = code.inputs.data as Record<string, string>;
      const binary = code.inputs.binaryData as Record<string, string>;
      writeFileSync(join(dir, "run.cjs"), data["run.cjs"]);
      writeFileSync(join(dir, "ops.cjs.gz"), Buffer.from(binary["ops.cjs.gz"], "base64"));
      // Each run unpacks into its own work dir: the two start together.
      const run = (work: string, ...args: string[]) => {
        mkdirSync(join(dir, work));
        return childOutput(
          spawn("node", [join(dir, "run.cjs"), ...args], {
            env: { ...process.env, OPS_WORK_DIR: join(dir, work) },
          }),
        );
      };
      const [bad, down] = await Promise.all([
        run("bad", "daily", "--prometheus", "nope", "--alertmanager", "http://127.0.0.1:1"),
        run(
          "down",
          "weekly",
          "--prometheus",
          "http://127.0.0.1:9",
          "--alertmanager",
          "http://127.0.0.1:9",
        ),
      ]);
      expect({ code: bad.code, err: bad.stderr.trim() }).toEqual({
        code: 2,
        err: expect.stringMatching(/^ops: .*--prometheus.*http\(s\) URL/),
      });
      expect(down.code).toBe(2);
      expect(down.stderr).toMatch(/cannot reach Prometheus at http:\/\/127\.0\.0\.1:9/);
      expect(
        Buffer.byteLength(binary["ops.cjs.gz"]) + Buffer.byteLength(data["run.cjs"]),
      ).toBeLessThan(1024 * 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("each CronJob's own arguments, run by the bundle in a pod without npm or Go", () => {
  let dir: string;
  let servers: Server[];
  let api: string;
  let port8000: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ops-cronjob-"));
    const code = named(prod, "ops-schedule-code") as RecordedResource;
    for (const [key, text] of Object.entries(code.inputs.data as Record<string, string>))
      writeFileSync(join(dir, key), text);
    const gz = (code.inputs.binaryData as Record<string, string>)["ops.cjs.gz"];
    writeFileSync(join(dir, "ops.cjs.gz"), Buffer.from(gz, "base64"));
    servers = [standIn(), loadTarget()];
    [api, port8000] = await Promise.all(servers.map(listen));
    writeFileSync(join(dir, "slack-webhook-url"), `${port8000}/slack`);
  });
  afterAll(() => {
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The CronJob's args with the cluster's addresses pointed at the stand-ins. */
  function runCronJob(routine: string) {
    const args = cron(routine).jobTemplate.spec.template.spec.containers[0].args.map((a) =>
      a
        .replace(/^http:\/\/kps-(prometheus|alertmanager)\.monitoring\.svc:\d+$/, api)
        .replace("http://port8000.port8000.svc.cluster.local:8000", port8000)
        .replace("/opt/ops/", `${dir}/`)
        .replace("/var/run/secrets/port8000-ops/", `${dir}/`)
        .replace(/^\/work\/reports$/, join(dir, routine))
        // The 30-minute load test, shortened for the test.
        .replace(/^1800s$/, "1s"),
    );
    const upload = args.indexOf("--upload-bucket");
    if (upload >= 0) args.splice(upload, 4);
    // Not spawnSync: the stand-ins answer from this process's event loop.
    return childOutput(
      spawn("node", [...args, "--json"], {
        env: { OPS_WORK_DIR: dir, PATH: dirname(process.execPath) },
      }),
    );
  }
  const checks = (stdout: string) =>
    Object.fromEntries(
      (
        JSON.parse(stdout) as { checks: { name: string; status: string; detail: string }[] }
      ).checks.map((c) => [c.name, c]),
    );

  it("daily audits the bots against Port 8000's registry endpoint", async () => {
    const run = await runCronJob("daily");
    expect(run.stderr).not.toMatch(/^ops: /m);
    expect(checks(run.stdout)["bot registry audit"].detail).toMatch(/^2 registered, /);
  });

  it("monthly runs the load test with the bundled autocannon and writes its report", async () => {
    const run = await runCronJob("monthly");
    expect(run.stderr).not.toMatch(/^ops: /m);
    expect(checks(run.stdout)["synthetic load test"]).toMatchObject({
      status: "ok",
      detail: expect.stringMatching(/^\d+ requests in 1s .*10 connections/),
    });
    expect(
      readdirSync(join(dir, "monthly")).filter((f) => f.endsWith("-load-test.json")),
    ).toHaveLength(1);
  });

  it("quarterly projects capacity and says the vulnerability review runs in CI", async () => {
    const run = await runCronJob("quarterly");
    expect(run.stderr).not.toMatch(/^ops: /m);
    const byName = checks(run.stdout);
    expect(byName["capacity: CPU"].status).toBe("ok");
    expect(byName["dependency vulnerabilities"].detail).toContain(
      "run in .github/workflows/vulnerabilities.yml (job review)",
    );
    expect(Object.keys(byName)).not.toContain("npm audit");
    // The grants from the ConfigMap's access.json; outside a pod there is no API token to use.
    expect(byName["access review (config)"].detail).toContain("role port8000-production-sre");
    expect(byName["access review (Kubernetes live)"]).toMatchObject({
      status: "warn",
      detail: expect.stringContaining("KUBERNETES_SERVICE_HOST is not set"),
    });
  });
});
