import type { ProgramRun } from "../../scripts/mock-runtime";
import { named, ofType, runStack } from "../support/program";

// biome-ignore lint/suspicious/noExplicitAny: recorded inputs are untyped JSON, read by path.
type Json = any;

describe("AutomationService on the prod stack", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runStack("prod");
  });

  const deployment = () => named(run, "automation-deployment").inputs as Json;

  it("runs the configured replicas of the pinned node:24-alpine as non-root, with probes and limits", () => {
    const spec = deployment().spec;
    const pod = spec.template.spec;
    const [container] = pod.containers;
    expect(spec.replicas).toBe(2);
    expect(container.image).toMatch(/^node:24-alpine@sha256:[0-9a-f]{64}$/);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    expect(container.readinessProbe.httpGet.path).toBe("/healthz");
    expect(container.livenessProbe.httpGet.path).toBe("/healthz");
    expect(container.resources.limits.memory).toBeDefined();
  });

  it("takes its code from a ConfigMap and rolls when the code changes", () => {
    const code = named(run, "automation-code").inputs as { data: Record<string, string> };
    expect(Object.keys(code.data).sort()).toEqual(["annotations.ts", "cluster.ts", "server.ts"]);
    expect(code.data["server.ts"]).toContain("export async function startAutomationServer");
    expect(deployment().spec.template.metadata.annotations["port8000/code-sha256"]).toMatch(
      /^[0-9a-f]{64}$/,
    );
  });

  it("keeps the bearer token a secret, in a Secret", () => {
    expect(named(run, "automation-token").inputs.stringData).toBe("[secret]");
  });

  it("may only read its CronJob, create Jobs and read and update the freeze ConfigMap", () => {
    const role = named(run, "automation-role").inputs as {
      rules: { resources: string[]; verbs: string[] }[];
    };
    expect(role.rules.flatMap((r) => r.verbs).sort()).toEqual(["create", "get", "get", "update"]);
    expect(ofType(run, "kubernetes:batch/v1:CronJob")[0].inputs).toMatchObject({
      spec: { suspend: true },
    });
  });

  it("Alertmanager's receiver Secret holds every credential, masked", () => {
    const secret = named(run, "alertmanager-receivers-secret").inputs as Json;
    expect(secret.metadata.name).toBe("alertmanager-port8000-receivers");
    expect(secret.stringData).toBe("[secret]");
  });
});
