import { join } from "node:path";
import { buildDashboards } from "../../dashboards";
import { dashboardQueries } from "../../dashboards/queries";
import { VIRTUAL_DEVICES } from "../../dashboards/resource-utilization";
import type { LocalStack } from "../../local/stack";
import { stackConfig } from "../alerts/support";
import { plain } from "../dashboards/support";
import { startE2eStack, stopE2eStack, waitFor } from "./support/harness";
import { historyRange, MINUTES, START_S, STEP_S, shipHistory } from "./support/history";

/**
 * What the local stack's queries return, on one stack (they only read it): every panel query
 * and variable of the dashboards returns data from its Prometheus, fed by the simulator and the
 * real node exporter; and long-term metrics come back through Thanos Query. Grafana's windows
 * are given at the stack's time scale (60): $__rate_interval 5s is 20 scrapes of 0.25 s.
 *
 * The node exporter reads a fixture host (fixtures/host/proc: CPUs, memory, vmstat, an ext4
 * root, eth0 beside loopback and container devices) instead of the machine's own, so the
 * result never depends on the host's interfaces, disks or load: it passes in a network
 * namespace with only loopback, and on a container's overlay root.
 */

const FIXTURE_HOST = [
  `--path.procfs=${join(__dirname, "fixtures", "host", "proc")}`,
  // /proc/net/dev, not netlink, which would list the namespace's own devices.
  "--no-collector.netdev.netlink",
];

/**
 * What the fresh local stack cannot have, with why; promtool still checks these queries
 * (tests/dashboards/promtool.test.ts). Locally nothing is backed up by a scraped Thanos, and
 * there is no Kubernetes (kubelet, kube-state-metrics), no Filebeat and no OpenSearch to scrape
 * (their json_exporter modules run on vendored answers in tests/logging/json-exporters.test.ts).
 */
const NOT_LOCAL = [
  /\bthanos_/,
  /job="(kubelet|kube-state-metrics|opensearch|opensearch-state|filebeat|thanos-[a-z]+)"/,
];

/** A day-ago offset reads the same series a fresh stack holds only from now on. */
const withoutOffset = (expr: string) => expr.replace(/\s+offset\s+\d+[smhdwy]/g, "");

jest.setTimeout(180_000);

let stack: LocalStack | undefined;

beforeAll(async () => {
  stack = await startE2eStack(19600, 8, FIXTURE_HOST);
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

describe("dashboards", () => {
  test("every dashboard query returns data on the local stack", async () => {
    const builtins = { __rate_interval: "5s", __interval: "1s", __range: "1m" };
    const all = Object.values(buildDashboards(stackConfig("local"))).flatMap((d) =>
      dashboardQueries(plain(d), builtins),
    );
    const queries = all
      .filter((q) => !NOT_LOCAL.some((re) => re.test(q.expr)))
      .map((q) => ({ ...q, expr: withoutOffset(q.expr) }));
    // The exclusions leave most of the dashboards to be proven live.
    expect(queries.length).toBeGreaterThan((3 * all.length) / 4);
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

  test("network throughput counts the host's own link, not loopback or container devices", async () => {
    const expr = (metric: string) => `count(${metric}{job="node", device!~"${VIRTUAL_DEVICES}"})`;
    const all = await waitFor("node exporter's network series", async () =>
      (await seriesCount('node_network_receive_bytes_total{job="node"}')) >= 3 ? true : undefined,
    );
    expect(all).toBe(true);
    const url = `${stack?.urls.prometheus}/api/v1/query?query=${encodeURIComponent(
      `count by (device) (node_network_receive_bytes_total{job="node", device!~"${VIRTUAL_DEVICES}"})`,
    )}`;
    const doc = (await (await fetch(url)).json()) as {
      data: { result: { metric: { device: string } }[] };
    };
    expect(doc.data.result.map((r) => r.metric.device)).toEqual(["eth0"]);
    expect(await seriesCount(expr("node_network_transmit_bytes_total"))).toBe(1);
  });
});

/**
 * Long-term metrics end to end: blocks older than the local Prometheus' retention, shipped to
 * the filesystem bucket for two replicas with different gaps, come back through Query
 * deduplicated into one gap-free series; the live data comes through the sidecar.
 */
describe("long-term metrics", () => {
  test("history older than Prometheus' retention comes back through Query, deduplicated", async () => {
    const s = stack as LocalStack;
    const query = s.urls.thanosQuery;
    expect(query).toBeDefined();
    shipHistory(s, "local-a");
    shipHistory(s, "local-b");

    const raw = await waitFor(
      "both replicas' blocks served by the Store Gateway",
      async () => {
        const found = await historyRange(query as string, false);
        return found.length === 2 ? found : undefined;
      },
      60_000,
    );
    expect(raw.map((r) => r.metric.prometheus_replica).sort()).toEqual(["local-a", "local-b"]);
    for (const replica of raw) expect(replica.values.length).toBeLessThan(MINUTES);

    const [merged, ...more] = await historyRange(query as string, true);
    expect(more).toEqual([]);
    expect(merged.metric.prometheus_replica).toBeUndefined();
    expect(merged.values.map(([t, v]) => [t - START_S, Number(v)])).toEqual(
      Array.from({ length: MINUTES }, (_, i) => [i * STEP_S, i]),
    );

    // Prometheus itself never had it: it is the bucket's.
    expect(await historyRange(s.urls.prometheus, true)).toEqual([]);
  });

  test("Query reads the live Prometheus through the sidecar", async () => {
    const s = stack as LocalStack;
    const live = await waitFor('up{job="port8000"} through Query', async () => {
      const url = `${s.urls.thanosQuery}/api/v1/query?query=${encodeURIComponent('up{job="port8000"}')}`;
      const doc = (await (await fetch(url)).json()) as { data: { result: unknown[] } };
      return doc.data.result.length > 0 ? doc.data.result : undefined;
    });
    expect(live).toHaveLength(1);
  });
});
