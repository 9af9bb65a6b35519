import { buildDashboards } from "../../dashboards";
import { dashboardQueries } from "../../dashboards/queries";
import type { LocalStack } from "../../local/stack";
import { stackConfig } from "../alerts/support";
import { plain } from "../dashboards/support";
import { startE2eStack, stopE2eStack, waitFor } from "./support/harness";

/**
 * Every panel query and variable of the four dashboards returns data from the local stack's
 * Prometheus, fed by the simulator and the real node exporter. Grafana's windows are given at
 * the stack's time scale (60): $__rate_interval 5s is 20 scrapes of 0.25 s.
 */

jest.setTimeout(150_000);

let stack: LocalStack | undefined;

beforeAll(async () => {
  stack = await startE2eStack(19600);
}, 90_000);

afterAll(() => stopE2eStack(stack));

async function seriesCount(expr: string): Promise<number> {
  const url = `${stack?.urls.prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`;
  const doc = (await (await fetch(url)).json()) as {
    status: string;
    data?: { result: unknown[] };
    error?: string;
  };
  if (doc.status !== "success") throw new Error(`${expr}: ${doc.error}`);
  return doc.data?.result.length ?? 0;
}

test("every dashboard query returns data on the local stack", async () => {
  const builtins = { __rate_interval: "5s", __interval: "1s", __range: "1m" };
  const queries = Object.values(buildDashboards(stackConfig("local"))).flatMap((d) =>
    dashboardQueries(plain(d), builtins),
  );
  expect(queries.length).toBeGreaterThan(25);
  const empty = await waitFor(
    "every dashboard query to return data",
    async () => {
      const counts = await Promise.all(queries.map((q) => seriesCount(q.expr)));
      const missing = queries.filter((_, i) => counts[i] === 0);
      return missing.length === 0 ? [] : undefined;
    },
    90_000,
  ).catch(async () => {
    const counts = await Promise.all(queries.map((q) => seriesCount(q.expr)));
    return queries.filter((_, i) => counts[i] === 0).map((q) => `${q.where}: ${q.expr}`);
  });
  expect(empty).toEqual([]);
});
