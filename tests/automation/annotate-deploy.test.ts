import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import yaml from "js-yaml";
import { startAnnotations } from "../../automation/annotations";
import { startAutomationServer } from "../../automation/server";
import { AUTOMATION_ALERTS } from "../../components/automation/workload";
import { parseArgs, postDeploy, UsageError } from "../../scripts/annotate-deploy";
import { ROOT } from "../support/program";
import { startGrafanaStandIn } from "./grafana-standin";

const event = { service: "port8000", version: "run-7", commit: "4bc2416e0f", who: "octocat" };

describe("npm run annotate-deploy", () => {
  it("requires every field and refuses unknown flags", () => {
    expect(() => parseArgs(["--stack", "prod"])).toThrow(/--service is required/);
    expect(() => parseArgs(["--nope", "x"])).toThrow(UsageError);
    expect(() => parseArgs(["--stack"])).toThrow(/--stack needs a value/);
    expect(
      parseArgs([
        "--stack",
        "prod",
        "--service",
        "s",
        "--version",
        "v",
        "--commit",
        "abcdef1",
        "--who",
        "w",
      ]),
    ).toMatchObject({ stack: "prod", commit: "abcdef1" });
  });

  it("posts through the automation service into a Grafana annotation", async () => {
    const grafana = await startGrafanaStandIn("g");
    const annotations = startAnnotations({
      grafanaUrl: grafana.url,
      grafanaToken: "g",
      deployToken: "d",
      pagerdutySecrets: ["p"],
      log: () => undefined,
    });
    const server = await startAutomationServer({
      port: 0,
      token: "a",
      alerts: AUTOMATION_ALERTS,
      runLogRotation: async () => "",
      requestHeapSnapshot: async () => "",
      routes: annotations.routes,
    });
    expect(await postDeploy(server.url, "d", event, 1)).toMatchObject({ ok: true });
    await annotations.idle();
    expect(grafana.annotations[0].tags).toEqual(["deploy", "service:port8000", "version:run-7"]);
    expect(await postDeploy(server.url, "wrong", event, 3, 1)).toMatchObject({
      ok: false,
      detail: expect.stringContaining("401"),
    });
    annotations.close();
    await server.close();
    await grafana.close();
  });

  it("retries while the service answers 5xx and reports the last answer when it gives up", async () => {
    let calls = 0;
    const flaky = createServer((_, res) => {
      calls += 1;
      res.writeHead(calls < 3 ? 503 : 202).end("{}");
    });
    await new Promise<void>((r) => flaky.listen(0, "127.0.0.1", r));
    const port = (flaky.address() as { port: number }).port;
    expect(await postDeploy(`http://127.0.0.1:${port}`, "d", event, 5, 1)).toMatchObject({
      ok: true,
    });
    expect(calls).toBe(3);
    calls = -100;
    expect(await postDeploy(`http://127.0.0.1:${port}`, "d", event, 2, 1)).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/gave up after 2 attempts: HTTP 503/),
    });
    flaky.close();
  });

  it("runs after pulumi up in the deploy workflow, with the token from a secret", () => {
    const workflow = yaml.load(
      readFileSync(join(ROOT, ".github/workflows/deploy.yml"), "utf8"),
    ) as {
      jobs: { deploy: { steps: { uses?: string; run?: string; env?: Record<string, string> }[] } };
    };
    const steps = workflow.jobs.deploy.steps;
    const up = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
    const annotate = steps.findIndex((s) => s.run?.includes("npm run annotate-deploy"));
    expect(annotate).toBeGreaterThan(up);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: GitHub and Grafana placeholders, not JS templates.
    expect(steps[annotate].env?.DEPLOY_WEBHOOK_TOKEN).toBe("${{ secrets.DEPLOY_WEBHOOK_TOKEN }}");
    const argv = [
      ...(steps[annotate].run ?? "").matchAll(/(--\w+)\s+(\$\{\{.*?\}\}|\S+)/g),
    ].flatMap((m) => [m[1], m[2]]);
    expect(parseArgs(argv)).toMatchObject({
      service: "port8000-monitoring",
      // The commit CI tested (workflow_run: head_sha), not the default branch tip.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: GitHub and Grafana placeholders, not JS templates.
      commit: "${{ needs.tested.outputs.sha }}",
    });
  });
});
