import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { roleMappings, roles } from "../../components/opensearch/access";
import { LOG_INDEX_PATTERN } from "../../lib/conventions";
import { VENDOR_DIR } from "../../lib/vendored";
import { configOf } from "./support";

describe("roles and role mappings from the RBAC teams", () => {
  const team = (name: string, opensearch: string) => ({
    name,
    members: [`${name}@deia.example.com`],
    grafana: "viewer",
    opensearch,
    kubernetes: "none",
    aws: "none",
  });
  const mapped = (levels: [string, string][]) =>
    roleMappings(configOf("prod", { rbac: { teams: levels.map(([n, l]) => team(n, l)) } }));

  it("give every team with access operations.read at least, and streaming to stream teams", () => {
    const m = mapped([
      ["readers", "read"],
      ["oncall", "stream"],
      ["sre", "admin"],
      ["leaders", "none"],
    ]);
    expect(m["operations.read"].backend_roles).toEqual(["oncall", "readers", "sre"]);
    expect(m["operations.stream"].backend_roles).toEqual(["oncall", "sre"]);
    expect(m.all_access.backend_roles).toEqual(["sre"]);
    expect(JSON.stringify(m)).not.toContain("leaders");
  });

  // The security plugin's own action groups (vendored), expanded as it does, globs included.
  const groups = yaml.load(
    readFileSync(join(VENDOR_DIR, "opensearch-security/static_action_groups.yml"), "utf8"),
  ) as Record<string, { allowed_actions?: string[] }>;
  const expand = (actions: string[]): string[] =>
    actions.flatMap((a) => (groups[a]?.allowed_actions ? expand(groups[a].allowed_actions) : [a]));
  const glob = (pattern: string) =>
    new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\/]/g, "\\$&").replace(/\*/g, ".*")}$`);
  const grants = (role: string, action: string) => {
    const r = roles()[role];
    const all = [
      ...r.cluster_permissions,
      ...r.index_permissions.flatMap((p) => p.allowed_actions),
    ];
    return expand(all).some((pattern) => glob(pattern).test(action));
  };
  const STREAMING = [
    "indices:data/read/scroll",
    "indices:data/read/scroll/clear",
    "indices:data/read/point_in_time/create",
  ];

  it("let streaming roles scroll and hold points in time, and read roles not", () => {
    for (const action of STREAMING) {
      expect([action, grants("operations.stream", action)]).toEqual([action, true]);
      expect([action, grants("operations.read", action)]).toEqual([action, false]);
    }
    for (const action of ["indices:data/read/search", "indices:data/read/msearch"])
      expect([action, grants("operations.read", action)]).toEqual([action, true]);
  });

  it("expand action groups as the plugin does (the check can fail)", () => {
    expect(expand(["cluster_composite_ops_ro"])).toContain("indices:data/read/scroll");
    expect(
      expand(["crud"]).some((p) => glob(p).test("indices:data/read/point_in_time/create")),
    ).toBe(true);
  });

  it("let Prometheus' scrape user read cluster and index stats, and nothing else", () => {
    // The exporter plugin's action and the APIs it calls (health, state, node and index stats).
    for (const action of [
      "cluster:monitor/prometheus/metrics",
      "cluster:monitor/health",
      "cluster:monitor/state",
      "cluster:monitor/nodes/stats",
      "indices:monitor/stats",
    ])
      expect([action, grants("port8000.metrics-reader", action)]).toEqual([action, true]);
    for (const action of [
      "indices:data/read/search",
      "indices:data/write/bulk",
      "cluster:admin/settings/update",
      "indices:admin/delete",
    ])
      expect([action, grants("port8000.metrics-reader", action)]).toEqual([action, false]);
    expect(mapped([["readers", "read"]])["port8000.metrics-reader"].users).toEqual([
      "prometheus-metrics",
    ]);
  });
  it("let the OpenSearch state exporter explain snapshots and ISM, and change nothing", () => {
    // Action names of the index-management plugin at 2.19.2.0 (SMActions.kt, the ISM actions).
    // The ISM explain checks ManagedIndexAction (indices:admin/opensearch/ism/managedindex) per
    // index and silently drops the indices that fail it (TransportExplainAction).
    const role = "port8000.pipeline-state-reader";
    for (const action of [
      "cluster:admin/opensearch/snapshot_management/policy/explain",
      "cluster:admin/opendistro/ism/managedindex/explain",
      "cluster:monitor/state",
      "indices:admin/opensearch/ism/managedindex",
    ])
      expect([action, grants(role, action)]).toEqual([action, true]);
    for (const action of [
      "cluster:admin/opensearch/snapshot_management/policy/write",
      "cluster:admin/opensearch/snapshot_management/policy/start",
      "cluster:admin/opensearch/snapshot_management/policy/stop",
      "cluster:admin/opensearch/snapshot_management/policy/delete",
      "cluster:admin/opendistro/ism/managedindex/retry",
      "cluster:admin/opendistro/ism/managedindex/change",
      "cluster:admin/opendistro/ism/managedindex/remove",
      "cluster:admin/opendistro/ism/policy/write",
      "cluster:admin/snapshot/create",
      "indices:data/read/search",
      "indices:data/write/bulk",
      "indices:admin/delete",
      "indices:admin/settings/update",
    ]) {
      expect([action, grants(role, action)]).toEqual([action, false]);
      expect([action, grants("port8000.metrics-reader", action)]).toEqual([action, false]);
    }
    expect(roles()[role].index_permissions).toEqual([
      {
        index_patterns: [LOG_INDEX_PATTERN],
        allowed_actions: ["indices:admin/opensearch/ism/managedindex"],
      },
    ]);
    expect(mapped([["readers", "read"]])[role].users).toEqual(["prometheus-metrics"]);
  });
});
