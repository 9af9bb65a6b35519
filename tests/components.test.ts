import { readdirSync } from "node:fs";
import { Chart } from "../lib/conventions";
import type { ProgramRun } from "../scripts/mock-runtime";
import { loadChartDefaults, SCHEMAS_DIR, unknownValuePaths } from "./support/chart-values";
import { crdErrors } from "./support/crds";
import { named, ofType, runStack } from "./support/program";

let prod: ProgramRun;
beforeAll(async () => {
  prod = await runStack("prod");
});

/** The value at a dotted path of nested records (keys may contain dashes, not dots). */
function at(value: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);
}

function releaseValues(chart: string): Record<string, unknown> {
  const release = ofType(prod, "kubernetes:helm.sh/v3:Release").find(
    (r) => r.inputs.chart === chart,
  );
  if (!release) throw new Error(`no Helm release of ${chart}`);
  return release.inputs.values as Record<string, unknown>;
}

describe("Helm values are keys the pinned charts know", () => {
  const kps = loadChartDefaults(`kube-prometheus-stack-${Chart.kubePrometheusStack.version}`);

  it("pins the chart versions whose schemas are vendored", () => {
    const folders = readdirSync(SCHEMAS_DIR);
    for (const chart of [
      Chart.kubePrometheusStack,
      Chart.blackboxExporter,
      Chart.opensearchOperator,
    ]) {
      expect(folders).toContain(`${chart.name}-${chart.version}`);
    }
    const versions = ofType(prod, "kubernetes:helm.sh/v3:Release").map(
      (r) => `${r.inputs.chart}-${r.inputs.version}`,
    );
    for (const version of versions) expect(folders).toContain(version);
  });

  const SUBCHARTS = {
    "prometheus-node-exporter": "prometheus-node-exporter-4.56.1",
    "kube-state-metrics": "kube-state-metrics-8.4.0",
  } as const;

  it("sets only kube-prometheus-stack values that exist, with their types", () => {
    const values = { ...releaseValues("kube-prometheus-stack") };
    for (const subchart of Object.keys(SUBCHARTS)) delete values[subchart];
    // alertmanager.yml is passed through verbatim, and amtool judges it (tests/alertmanager).
    expect(unknownValuePaths(values, kps, "", ["alertmanager.config"])).toEqual([]);
  });

  it.each(Object.entries(SUBCHARTS))(
    "sets only %s values that the subchart itself knows",
    (key, folder) => {
      const values = releaseValues("kube-prometheus-stack")[key];
      expect(values).toBeDefined();
      expect(unknownValuePaths(values, loadChartDefaults(folder))).toEqual([]);
    },
  );

  it("labels every monitor Prometheus must select, subcharts' own included", () => {
    const values = releaseValues("kube-prometheus-stack");
    const selector = at(values, "prometheus.prometheusSpec.serviceMonitorSelector.matchLabels");
    expect(selector).toEqual(values.commonLabels);
    for (const subchart of Object.keys(SUBCHARTS)) {
      expect(at(values, `${subchart}.prometheus.monitor.additionalLabels`)).toEqual(selector);
    }
    for (const kind of ["ServiceMonitor", "Probe", "PrometheusRule"]) {
      const declared = prod.resources.filter((r) => r.inputs.kind === kind);
      expect(declared.length).toBeGreaterThan(0);
      for (const r of declared)
        expect(at(r.inputs, "metadata.labels")).toMatchObject(selector as object);
    }
    // The chart sets app.kubernetes.io/part-of itself; repeating it would duplicate the key.
    expect(Object.keys(values.commonLabels as object)).not.toContain("app.kubernetes.io/part-of");
  });

  it("names the node of app and host targets, so their series join on (node)", () => {
    const values = releaseValues("kube-prometheus-stack");
    const nodeRelabel = expect.objectContaining({
      sourceLabels: ["__meta_kubernetes_pod_node_name"],
      targetLabel: "node",
    });
    expect(at(values, "prometheus-node-exporter.prometheus.monitor.relabelings")).toContainEqual(
      nodeRelabel,
    );
    const monitor = named(prod, "prometheus-service-monitor").inputs as {
      spec: { endpoints: { relabelings: unknown[] }[] };
    };
    expect(monitor.spec.endpoints[0].relabelings).toContainEqual(nodeRelabel);
  });

  it("sets only blackbox exporter values that exist", () => {
    const blackbox = loadChartDefaults(
      `prometheus-blackbox-exporter-${Chart.blackboxExporter.version}`,
    );
    // Module names are the operator's; their content is the exporter's module schema.
    expect(
      unknownValuePaths(releaseValues("prometheus-blackbox-exporter"), blackbox, "", [
        "config.modules",
      ]),
    ).toEqual([]);
  });

  it("catches a misspelt key and a wrong type (the check can fail)", () => {
    const bad = {
      prometheus: { prometheusSpec: { replicaz: 2, replicas: "two" } },
      alertmanager: { enabled: 1 },
    };
    expect(unknownValuePaths(bad, kps)).toEqual([
      "prometheus.prometheusSpec.replicaz: not a value of this chart",
      "prometheus.prometheusSpec.replicas: string where the chart has number",
      "alertmanager.enabled: number where the chart has boolean",
    ]);
  });

  it("runs Prometheus and Alertmanager highly available on retained volumes", () => {
    const values = releaseValues("kube-prometheus-stack") as {
      prometheus: { prometheusSpec: Record<string, unknown> };
      alertmanager: { alertmanagerSpec: Record<string, unknown> };
    };
    expect(values.prometheus.prometheusSpec).toMatchObject({
      replicas: 2,
      retention: "15d",
      podAntiAffinity: "hard",
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain" },
    });
    expect(values.alertmanager.alertmanagerSpec).toMatchObject({
      replicas: 3,
      podAntiAffinity: "hard",
    });
  });
});

describe("custom resources", () => {
  it("validate against the pinned CRD schemas", () => {
    const custom = prod.resources.filter((r) =>
      /monitoring\.coreos\.com|opensearch\.org/.test(r.type),
    );
    expect(custom.map((r) => r.inputs.kind).sort()).toEqual(
      expect.arrayContaining(["Probe", "PrometheusRule", "ServiceMonitor"]),
    );
    for (const resource of custom) {
      expect({
        name: resource.name,
        errors: crdErrors(resource.inputs as { apiVersion: string; kind: string }),
      }).toEqual({
        name: resource.name,
        errors: [],
      });
    }
  });

  it("reject a malformed resource (the check can fail)", () => {
    const probe = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "Probe",
      spec: { interval: 15, targets: "x" },
    };
    expect(crdErrors(probe).length).toBeGreaterThan(0);
  });

  it("scrape the log pipeline as job logstash, which Port8000LogVolumeSpike reads", () => {
    const monitor = named(prod, "prometheus-logstash-monitor").inputs as {
      spec: {
        namespaceSelector: { matchNames: string[] };
        endpoints: { relabelings: unknown[] }[];
      };
    };
    expect(monitor.spec.namespaceSelector.matchNames).toEqual(["logging"]);
    expect(monitor.spec.endpoints[0].relabelings).toContainEqual(
      expect.objectContaining({ targetLabel: "job", replacement: "logstash" }),
    );
  });

  it("scrape Port 8000 as job port8000 and probe /health as job port8000-health", () => {
    const monitor = named(prod, "prometheus-service-monitor").inputs as {
      spec: { endpoints: { relabelings: unknown[]; path: string }[] };
    };
    expect(monitor.spec.endpoints[0].path).toBe("/metrics");
    expect(monitor.spec.endpoints[0].relabelings).toContainEqual(
      expect.objectContaining({ targetLabel: "job", replacement: "port8000" }),
    );
    const probe = named(prod, "prometheus-health-probe").inputs as {
      spec: { jobName: string; targets: unknown };
    };
    expect(probe.spec.jobName).toBe("port8000-health");
    expect(JSON.stringify(probe.spec.targets)).toContain(
      "http://port8000.port8000.svc.cluster.local:8000/health",
    );
  });
});

describe("monitoring the public endpoint and the backup sidecar (issue 18)", () => {
  it("probes service.publicUrl over HTTPS only, as job port8000-public", () => {
    const probe = named(prod, "prometheus-public-probe").inputs as {
      spec: { jobName: string; module: string; targets: unknown };
    };
    expect(probe.spec.jobName).toBe("port8000-public");
    expect(JSON.stringify(probe.spec.targets)).toContain("https://port8000.deia.example.com/");
    const modules = at(releaseValues("prometheus-blackbox-exporter"), "config.modules") as Record<
      string,
      { http: { fail_if_not_ssl?: boolean } }
    >;
    expect(modules[probe.spec.module].http.fail_if_not_ssl).toBe(true);
  });

  it("scrapes the Thanos sidecar through the chart's ServiceMonitor as job thanos-sidecar", () => {
    const values = releaseValues("kube-prometheus-stack");
    expect(at(values, "prometheus.thanosService.enabled")).toBe(true);
    expect(at(values, "prometheus.thanosServiceMonitor.relabelings")).toContainEqual(
      expect.objectContaining({ targetLabel: "job", replacement: "thanos-sidecar" }),
    );
  });
});

describe("stateful resources", () => {
  it("are protected: the archive bucket and the monitoring namespace", () => {
    expect(named(prod, "log-archive-bucket").protect).toBe(true);
    expect(named(prod, "monitoring-namespace").protect).toBe(true);
    expect(named(prod, "log-archive-bucket").inputs.forceDestroy).toBe(false);
  });

  it("keep the archive private, versioned and encrypted", () => {
    expect(named(prod, "log-archive-public-access-block").inputs).toMatchObject({
      blockPublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(named(prod, "log-archive-versioning").inputs).toMatchObject({
      versioningConfiguration: { status: "Enabled" },
    });
    // With the customer-managed key (tests/logging/archive.test.ts checks the key and policies).
    expect(JSON.stringify(named(prod, "log-archive-encryption").inputs)).toContain("aws:kms");
  });
});

describe("access", () => {
  it("gives Grafana edit only to teams configured as editors or admins, view to the rest", () => {
    const permission = named(prod, "grafana-folder-permission-port-8000-production").inputs as {
      permissions: { permission: string; teamId: string }[];
    };
    expect(permission.permissions.map((p) => p.permission).sort()).toEqual([
      "Admin",
      "Edit",
      "View",
      "View",
    ]);
    expect(permission.permissions.every((p) => /^\d+$/.test(p.teamId))).toBe(true);
  });

  it("nests the dashboards folder as Port 8000 / Production", () => {
    const folders = ofType(prod, "grafana:oss/folder:Folder").map((f) => f.inputs);
    expect(folders).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ title: "Port 8000", uid: "port-8000" }),
        expect.objectContaining({ title: "Production", parentFolderUid: "port-8000" }),
      ]),
    );
  });

  it("binds Kubernetes roles per team and leaves teams without access unbound", () => {
    const bindings = ofType(prod, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")
      .filter((b) => b.parent === "team-access")
      .map((b) => b.inputs.metadata);
    expect(bindings.map((m) => (m as { name: string }).name).sort()).toEqual([
      "port8000-oncall-view",
      "port8000-ops-edit",
      "port8000-sre-admin",
    ]);
  });

  it("grants archive restore to ops and read-only to on-call", () => {
    const policy = (team: string) =>
      JSON.parse(String(named(prod, `team-access-archive-policy-${team}`).inputs.policy));
    expect(policy("ops").Statement[0].Action).toContain("s3:RestoreObject");
    expect(policy("oncall").Statement[0].Action).not.toContain("s3:RestoreObject");
    expect(() => named(prod, "team-access-archive-policy-leadership")).toThrow();
  });
});

describe("the SMS backup", () => {
  it("publishes through an IRSA role of Alertmanager's service account, scoped to the topic", () => {
    const values = releaseValues("kube-prometheus-stack") as {
      alertmanager: { serviceAccount: { name: string; annotations: Record<string, string> } };
    };
    const role = named(prod, "alertmanager-sns-role");
    const trust = JSON.parse(String(role.inputs.assumeRolePolicy));
    const conditions = trust.Statement[0].Condition.StringEquals;
    const sub = Object.entries(conditions).find(([key]) => key.endsWith(":sub"))?.[1];
    expect(sub).toBe(`system:serviceaccount:monitoring:${values.alertmanager.serviceAccount.name}`);
    expect(values.alertmanager.serviceAccount.annotations["eks.amazonaws.com/role-arn"]).toBe(
      `arn:aws:iam::000000000000:role/${role.inputs.name}`,
    );
    const publish = JSON.parse(String(named(prod, "alertmanager-sns-publish").inputs.policy));
    expect(publish.Statement[0]).toMatchObject({
      Action: "sns:Publish",
      Resource: ["arn:aws:sns:us-east-1:111122223333:port8000-critical-sms"],
    });
  });
});

describe("disaster recovery of the archive", () => {
  it("replicates prod's archive to the standby bucket, without propagating deletes", () => {
    const replication = named(prod, "log-archive-replication").inputs as {
      rules: { destination: { bucket: string }; deleteMarkerReplication: { status: string } }[];
    };
    expect(replication.rules[0].destination.bucket).toBe(
      "arn:aws:s3:::deia-port8000-log-archive-dr",
    );
    for (const rule of replication.rules)
      expect(rule.deleteMarkerReplication.status).toBe("Disabled");
    const policy = JSON.parse(String(named(prod, "log-archive-replication-policy").inputs.policy));
    const writes = policy.Statement.find((s: { Sid: string }) => s.Sid === "WriteReplicas");
    // One object ARN per replicated prefix (tests/archive/iam.test.ts judges what they allow).
    for (const resource of writes.Resource)
      expect(resource).toMatch(/^arn:aws:s3:::deia-port8000-log-archive-dr\/[a-z]+\/\*$/);
  });
});
