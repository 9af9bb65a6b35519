import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "../lib/conventions";
import { runProgram } from "../scripts/mock-runtime";
import { runStack, stackFile, withConfig } from "./support/program";

describe("the program under the recording mocks", () => {
  it("declares the prod stack with every resource under a component of this project", async () => {
    const run = await runStack("prod");
    const components = run.resources.filter((r) => !r.custom);
    expect(components.map((c) => c.type).every((t) => t.startsWith("port8000:"))).toBe(true);
    const custom = run.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
    expect(custom.length).toBeGreaterThan(20);
    for (const resource of custom) {
      expect(resource.parent).not.toBeNull();
      expect(resource.name.startsWith(`${resource.parent}-`)).toBe(true);
    }
  });

  it("fails before declaring anything when the config is bad, listing every problem", async () => {
    const file = withConfig(stackFile("prod"), {
      thresholds: { errorRate: { warning: 0.07 } },
      ha: { prometheusReplicas: 0 },
      colour: "blue",
      opensearchGrafanaPassword: undefined,
    });
    const run = runStack("prod", file);
    await expect(run).rejects.toThrow(/4 problems/);
    await expect(run).rejects.toThrow(
      /thresholds\.errorRate\.warning \(0\.07\): must be below critical \(0\.05\)/,
    );
    await expect(run).rejects.toThrow(/ha\.prometheusReplicas \(0\)/);
    await expect(run).rejects.toThrow(/colour: unknown config key/);
    await expect(run).rejects.toThrow(/opensearchGrafanaPassword: missing secret/);
  });

  it("rebuilds the dr stack in the standby region and cluster from Pulumi.dr.yaml alone", async () => {
    const run = await runStack("dr");
    const aws = run.resources.find((r) => r.type === "pulumi:providers:aws");
    const k8s = run.resources.find((r) => r.type === "pulumi:providers:kubernetes");
    expect(aws?.inputs.region).toBe("us-west-2");
    expect(k8s?.inputs.context).toBe("port8000-dr");
    // IAM is global and Grafana names are per instance: nothing may collide with prod's.
    const iamNames = (r: typeof run) =>
      r.resources.filter((x) => x.type.startsWith("aws:iam/")).map((x) => x.inputs.name);
    const prodRun = await runStack("prod");
    const clash = iamNames(run).filter((n) => n !== undefined && iamNames(prodRun).includes(n));
    expect(clash).toEqual([]);
    const grafanaUrl = (r: typeof run) =>
      r.resources.find((x) => x.type === "pulumi:providers:grafana")?.inputs.url;
    expect(grafanaUrl(run)).not.toEqual(grafanaUrl(prodRun));
    const prod = await runStack("prod");
    // prod alone owns the archive buckets (its own and the standby replica), replicates and
    // snapshots into them; dr uses the replica as it is, and serves prod's history from it.
    // Everything else is the same.
    const kinds = (resources: typeof run.resources) =>
      resources
        .filter(
          (r) => !r.name.startsWith("log-archive-") && r.name !== "log-search-snapshot-policy",
        )
        .filter((r) => !r.name.includes("store-history"))
        .map((r) => `${r.type} ${r.name}`)
        .sort();
    expect(kinds(run.resources)).toEqual(kinds(prod.resources));
  });

  it("declares nothing for the local stack, which only `npm run local` runs", async () => {
    const run = await runStack("local");
    expect(run.resources).toEqual([]);
    expect(run.outputs.environment).toBe("local");
  });

  it("fails on any provider call nobody mocked on purpose", async () => {
    const run = runProgram({
      project: PROJECT,
      stack: "test",
      config: {},
      secretKeys: [],
      load: async () => ({
        region: await pulumi.runtime.invoke("aws:index/getRegion:getRegion", {}),
      }),
    });
    await expect(run).rejects.toThrow(/unmocked provider call aws:index\/getRegion:getRegion/);
  });

  it("runs the program at Node's default stack depth, as `pulumi up` does, and restores jest's", async () => {
    const depths: number[] = [];
    const jestDepth = Error.stackTraceLimit;
    const load = async () => {
      depths.push(Error.stackTraceLimit);
      await new Promise((resolve) => setImmediate(resolve));
      depths.push(Error.stackTraceLimit);
      return {};
    };
    await runProgram({ project: PROJECT, stack: "test", config: {}, secretKeys: [], load });
    expect(depths).toEqual([10, 10]);
    expect(jestDepth).toBeGreaterThan(10);
    expect(Error.stackTraceLimit).toBe(jestDepth);
  });
});
