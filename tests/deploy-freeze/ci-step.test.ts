import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import {
  type AutomationHarness,
  alert,
  payload,
  post,
  startAutomation,
  TOKEN,
} from "../automation/support";

/**
 * The freeze holds Port 8000's own deploys: the composite action its pipeline calls, run
 * against the real automation service on loopback.
 */

const ACTION_DIR = join(__dirname, "..", "..", ".github", "actions", "deploy-freeze");
let h: AutomationHarness;
beforeAll(async () => {
  h = await startAutomation();
});
afterAll(() => h.server.close());

/** Asynchronous: the service answers from this same process. */
function check(env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      join(ACTION_DIR, "check-freeze.sh"),
      [],
      {
        env: {
          PATH: process.env.PATH ?? "",
          FREEZE_URL: h.server.url,
          FREEZE_TOKEN: TOKEN,
          ...env,
        },
      },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
        resolve({ code, out: `${stdout}${stderr}` });
      },
    );
  });
}

async function disk(status: "firing" | "resolved") {
  const a = alert("HostDiskSpaceLow", "critical", status, "disk-b");
  const onNodeB = { ...a, labels: { ...a.labels, instance: "node-b:9100" } };
  expect((await post(h, { ...payload(onNodeB), status })).status).toBe(200);
}

it("passes without a freeze, stops while one holds (naming it), and passes once it lifts", async () => {
  expect(await check({})).toMatchObject({ code: 0 });
  await disk("firing");
  const frozen = await check({});
  expect(frozen.code).toBe(1);
  expect(frozen.out).toMatch(
    /::error::Deploy freeze in effect: .*HostDiskSpaceLow critical on node-b/,
  );
  const overridden = await check({ FREEZE_OVERRIDE: "hotfix for the full disk" });
  expect(overridden.code).toBe(0);
  expect(overridden.out).toContain("override reason: hotfix for the full disk");
  await disk("resolved");
  expect((await check({})).code).toBe(0);
});

it("fails closed on a wrong token or an unreachable service", async () => {
  const denied = await check({ FREEZE_TOKEN: "wrong" });
  expect(denied.code).toBe(1);
  expect(denied.out).toContain("HTTP 401");
  const unreachable = await check({ FREEZE_URL: "http://127.0.0.1:9" });
  expect(unreachable.code).toBe(1);
  expect(unreachable.out).toContain("Cannot read the deploy freeze (HTTP 000)");
});

it("is a composite action that runs the same script with its inputs", () => {
  const action = yaml.load(readFileSync(join(ACTION_DIR, "action.yml"), "utf8")) as {
    inputs: Record<string, { required: boolean }>;
    runs: { using: string; steps: { env: Record<string, string>; run: string }[] };
  };
  expect(action.runs.using).toBe("composite");
  expect(Object.keys(action.inputs).sort()).toEqual(["override-reason", "token", "url"]);
  expect(action.runs.steps[0].run).toContain("$GITHUB_ACTION_PATH/check-freeze.sh");
  expect(action.runs.steps[0].env).toEqual({
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
    FREEZE_URL: "${{ inputs.url }}",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
    FREEZE_TOKEN: "${{ inputs.token }}",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
    FREEZE_OVERRIDE: "${{ inputs.override-reason }}",
  });
});
