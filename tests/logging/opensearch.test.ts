import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { archiveLifecycle } from "../../components/archive/lifecycle";
import { jsonExporterConfig } from "../../components/logging/exporter";
import { filebeatConfig, sourceHostDirs } from "../../components/logging/filebeat";
import { logstashSettings } from "../../components/logging/logstash";
import { networkPolicies } from "../../components/logging/network";
import { ClusterSecrets, opensearchCluster } from "../../components/opensearch/cluster";
import { indexTemplate, ismPolicy, snapshotPolicy } from "../../components/opensearch/documents";
import { OPENSEARCH_CONFIG_DIR, SNAPSHOT_SERVICE_ACCOUNT } from "../../components/opensearch/pods";
import { opensearchSnapshotPolicy } from "../../components/opensearch/resources";
import { logstashServiceMonitor } from "../../components/prometheus/monitors";
import { PROMETHEUS_PODS } from "../../components/prometheus/pods";
import { ArtifactPath } from "../../lib/conventions";
import { VENDOR_DIR } from "../../lib/vendored";
import { renderArtifacts } from "../../scripts/artifacts";
import { configOf, problemsOf } from "./support";

const prod = configOf("prod");
const retention = (hotDays: number, warmDays: number, archiveDays: number) =>
  configOf("prod", { logging: { retention: { hotDays, warmDays, archiveDays } } });

describe("the ISM policy", () => {
  it("moves indices to warm after hotDays and deletes them after hotDays + warmDays", () => {
    const { states } = ismPolicy(retention(7, 14, 60)).policy;
    expect(
      states.map((s) => [s.name, s.transitions.map((t) => [t.state_name, t.conditions])]),
    ).toEqual([
      ["hot", [["warm", { min_index_age: "7d" }]]],
      ["warm", [["delete", { min_index_age: "21d" }]]],
      ["delete", []],
    ]);
  });

  it("allocates warm indices to warm nodes, with fewer replicas, force-merged", () => {
    const config = configOf("prod", {
      logging: { opensearch: { warmReplicas: 1, forceMergeSegments: 2 } },
    });
    const warm = ismPolicy(config).policy.states.find((s) => s.name === "warm");
    expect(warm?.actions).toEqual([
      { replica_count: { number_of_replicas: 1 } },
      { allocation: { require: { temp: "warm" }, wait_for: true } },
      { force_merge: { max_num_segments: 2 } },
    ]);
  });

  it("applies to every new port8000-* index", () => {
    expect(ismPolicy(prod).policy.ism_template).toEqual([
      { index_patterns: ["port8000-*"], priority: 100 },
    ]);
  });
});

describe("the index template", () => {
  it("puts new indices on hot nodes with the hot replica count", () => {
    const config = configOf("prod", { logging: { opensearch: { hotReplicas: 2 } } });
    expect(indexTemplate(config).template.settings).toEqual({
      number_of_shards: 1,
      number_of_replicas: 2,
      "index.routing.allocation.require.temp": "hot",
    });
  });

  it("maps status as an integer and duration_ms as a number", () => {
    const props = indexTemplate(prod).template.mappings.properties as Record<
      string,
      { type?: string }
    >;
    expect([props.status.type, props.duration_ms.type]).toEqual(["integer", "float"]);
  });
});

describe("the cluster's pods", () => {
  it("run OpenSearch and Dashboards as non-root containers, leaving the pod to root init containers", () => {
    // The operator's chown and sysctl init containers run as root; a pod-wide runAsNonRoot
    // or runAsUser would make the kubelet refuse them, so the rule sits on the containers.
    const spec = opensearchCluster(configOf("prod")).spec as Record<
      "general" | "dashboards",
      { podSecurityContext: Record<string, unknown>; securityContext: Record<string, unknown> }
    >;
    for (const part of [spec.general, spec.dashboards]) {
      expect(part.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(Object.keys(part.podSecurityContext)).toEqual(["fsGroup"]);
    }
  });
});

describe("the cluster's HTTPS", () => {
  it("has the operator sign OpenSearch's HTTPS certificates with the program's CA, and serves Dashboards the program's certificate", () => {
    const spec = opensearchCluster(configOf("prod")).spec as {
      security: { tls: { http: { generate: boolean; caSecret: { name: string } } } };
      dashboards: { tls: { generate: boolean; secret: { name: string } } };
    };
    expect(spec.security.tls.http).toEqual({
      generate: true,
      caSecret: { name: ClusterSecrets.httpCa },
    });
    // Signed by that CA with early renewal: tests/logging/certificates.test.ts.
    expect(spec.dashboards.tls).toMatchObject({
      generate: false,
      secret: { name: ClusterSecrets.dashboardsTls },
    });
  });
});

describe("snapshots and the archive lifecycle", () => {
  it("keep snapshots for archiveDays on the archive bucket", () => {
    const policy = snapshotPolicy(retention(30, 60, 365));
    expect(policy.deletion.condition.max_age).toBe("365d");
    expect(policy.snapshotConfig.indices).toBe("port8000-*");
    // What the operator reads: its own camelCase fields.
    const resource = opensearchSnapshotPolicy(retention(30, 60, 365)).spec as {
      deletion: { deleteCondition: { maxAge: string } };
      snapshotConfig: { indices: string };
    };
    expect([resource.deletion.deleteCondition.maxAge, resource.snapshotConfig.indices]).toEqual([
      "365d",
      "port8000-*",
    ]);
  });

  it("expire archived events after archiveDays and never touch snapshot files", () => {
    const rules = archiveLifecycle(retention(30, 60, 200)).Rules;
    const logs = rules.filter((r) => r.Filter.Prefix === "logs/");
    expect(logs.map((r) => r.Expiration?.Days)).toEqual([200]);
    // Expiring delete markers and noncurrent versions never touches a current file.
    const touching = rules.filter((r) => r.Expiration?.Days || r.Transitions?.length);
    const reachSnapshots = touching.filter((r) => "snapshots/".startsWith(r.Filter.Prefix));
    expect(reachSnapshots).toEqual([]);
  });

  it("reach the bucket as the snapshot service account's IAM role, in the stack's region", () => {
    const config = configOf("dr");
    const general = opensearchCluster(config).spec.general as {
      serviceAccount: string;
      additionalConfig: Record<string, string>;
      additionalVolumes: {
        path: string;
        subPath?: string;
        projected: { sources: { serviceAccountToken: { audience: string; path: string } }[] };
      }[];
    };
    expect(general.serviceAccount).toBe(SNAPSHOT_SERVICE_ACCOUNT);
    const settings = general.additionalConfig;
    // repository-s3 resolves the token file against the config directory and may read only there.
    const tokenFile = `${OPENSEARCH_CONFIG_DIR}/${settings["s3.client.default.identity_token_file"]}`;
    const projected = general.additionalVolumes.flatMap((v) =>
      v.projected.sources.map((s) => ({ file: `${v.path}/${s.serviceAccountToken.path}`, v, s })),
    );
    const token = projected.find((p) => p.file === tokenFile);
    expect(token?.s.serviceAccountToken.audience).toBe("sts.amazonaws.com");
    expect(token?.v.subPath).toBeUndefined();
    expect([settings["s3.client.default.region"], settings["s3.client.default.endpoint"]]).toEqual([
      config.deployment.region,
      `s3.${config.deployment.region}.amazonaws.com`,
    ]);
  });

  it("refuse an archive shorter than the searchable life of an index", () => {
    expect(
      problemsOf("prod", {
        logging: { retention: { hotDays: 30, warmDays: 60, archiveDays: 80 } },
      }),
    ).toEqual([
      "logging.retention.archiveDays (80): must cover the searchable life of an index, hotDays + warmDays (90)",
    ]);
  });
});

describe("Logstash and Filebeat settings", () => {
  it("persist the queue and keep a dead letter queue of the configured sizes", () => {
    const config = configOf("prod", {
      logging: { logstash: { queueMaxBytes: "8gb", deadLetterMaxBytes: "2gb" } },
    });
    expect(logstashSettings(config)).toMatchObject({
      "queue.type": "persisted",
      "queue.max_bytes": "8gb",
      "dead_letter_queue.enable": true,
      "dead_letter_queue.max_bytes": "2gb",
    });
  });

  it("read each configured source with its kind, the journal with journald", () => {
    const config = configOf("prod", {
      logging: {
        sources: [
          { name: "app", kind: "gunicorn-access", paths: ["/var/log/app/access.log"] },
          { name: "journal", kind: "journald" },
        ],
      },
    });
    const inputs = filebeatConfig(config)["filebeat.inputs"];
    expect(inputs.map((i) => [i.type, i.id, i.fields.log_kind])).toEqual([
      ["filestream", "app", "gunicorn-access"],
      ["journald", "journal", "journald"],
      ["filestream", "monitoring-pods", "container"],
    ]);
  });

  it("read the monitoring namespace's container logs, which the platform alerts link to", () => {
    const base = configOf("prod");
    const config = { ...base, cluster: { ...base.cluster, namespace: "observability" } };
    const pods = filebeatConfig(config)["filebeat.inputs"].find((i) => i.id === "monitoring-pods");
    expect((pods as { paths?: string[] }).paths).toEqual([
      "/var/log/containers/*_observability_*.log",
    ]);
    // The links resolve into /var/log/pods: both directories are mounted.
    expect(sourceHostDirs(config)).toEqual(
      expect.arrayContaining(["/var/log/containers", "/var/log/pods"]),
    );
  });

  it.each([
    [
      { sources: [{ name: "j", kind: "journald", paths: ["/x"] }] },
      "logging.sources[0].paths: journald reads the journal; remove paths",
    ],
    [
      { sources: [{ name: "a", kind: "json" }] },
      "logging.sources[0].paths: a json source needs at least one path",
    ],
    [
      { opensearch: { hotNodes: 2, hotReplicas: 2 } },
      "logging.opensearch.hotReplicas (2): must be below hotNodes (2), or replicas stay unassigned",
    ],
    [
      { images: { filebeat: "filebeat:latest" } },
      'logging.images.filebeat ("filebeat:latest"): expected "registry/repository:tag" optionally followed by "@sha256:<64 hex>"',
    ],
  ])("refuse %j", (logging, problem) => {
    expect(problemsOf("prod", { logging })).toContain(problem);
  });
});

describe("network policies and the pipeline's scrape", () => {
  const monitoringNamespace = {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
  };
  it("let Filebeat reach only Logstash's beats port (plus DNS and the API server)", () => {
    const filebeat = networkPolicies(prod).find((p) => p.name === "filebeat-egress");
    const egress = (filebeat?.spec.egress ?? []) as { to?: unknown[]; ports: { port: number }[] }[];
    const toPods = egress.filter((e) => e.to?.some((t) => "podSelector" in (t as object)));
    expect(toPods.map((e) => e.ports.map((p) => p.port))).toEqual([[5044]]);
    // Inbound: only Prometheus' pods, only the json_exporter sidecar (/stats stays on loopback).
    expect(filebeat?.spec.ingress).toEqual([
      {
        from: [{ ...monitoringNamespace, podSelector: { matchLabels: PROMETHEUS_PODS } }],
        ports: [{ protocol: "TCP", port: 7979 }],
      },
    ]);
  });

  it("let the OpenSearch state exporter reach only OpenSearch's HTTP port, and be scraped", () => {
    const policy = networkPolicies(prod).find(
      (p) => p.name === "opensearch-state-exporter-traffic",
    );
    const egress = (policy?.spec.egress ?? []) as { to?: unknown[]; ports: { port: number }[] }[];
    const toPods = egress.filter((e) => e.to?.some((t) => "podSelector" in (t as object)));
    expect(toPods.map((e) => e.ports.map((p) => p.port))).toEqual([[9200]]);
    expect(JSON.stringify(toPods)).toContain('"opensearch.org/opensearch-cluster":"port8000-logs"');
    expect(policy?.spec.ingress).toEqual([
      {
        from: [{ ...monitoringNamespace, podSelector: { matchLabels: PROMETHEUS_PODS } }],
        ports: [{ protocol: "TCP", port: 7979 }],
      },
    ]);
  });

  it("select the OpenSearch pods by the label the operator the chart runs gives them", () => {
    const source = readFileSync(
      join(VENDOR_DIR, "opensearch-operator-3.0.0-alpha/source/constants.go"),
      "utf8",
    );
    const operatorLabel = /\bClusterLabel\s*=\s*"([^"]+)"/.exec(source)?.[1];
    const policies = networkPolicies(prod);
    const ingress = policies.find((p) => p.name === "port8000-logs-ingress")?.spec as {
      podSelector: { matchLabels: Record<string, string> };
    };
    expect(ingress.podSelector.matchLabels).toEqual({ [String(operatorLabel)]: "port8000-logs" });
    // Logstash may leave for OpenSearch only towards those pods.
    expect(
      JSON.stringify(policies.find((p) => p.name === "logstash-traffic")?.spec.egress),
    ).toContain(JSON.stringify({ [String(operatorLabel)]: "port8000-logs" }));
  });

  it("let only Logstash, the cluster's own pods and the monitoring namespace reach OpenSearch", () => {
    const os = networkPolicies(prod).find((p) => p.name === "port8000-logs-ingress");
    const from = JSON.stringify(os?.spec.ingress);
    expect(from).toContain('"NotIn","values":["filebeat"]');
    expect(from).toContain('"kubernetes.io/metadata.name":"monitoring"');
  });

  it("scrape json_exporter's probe of the Logstash stats API as job logstash", () => {
    const endpoint = (logstashServiceMonitor(prod).spec.endpoints as Record<string, unknown>[])[0];
    expect(endpoint).toMatchObject({
      path: "/probe",
      params: { module: ["logstash"], target: ["http://127.0.0.1:9600/_node/stats"] },
    });
    const rules = yaml.load(renderArtifacts(prod)[ArtifactPath.rules]) as {
      groups: { rules: { alert?: string; expr: string }[] }[];
    };
    const spike = rules.groups
      .flatMap((g) => g.rules)
      .find((r) => r.alert === "Port8000LogVolumeSpike");
    const read = /(\w+)\{job="logstash"\}/.exec(spike?.expr ?? "")?.[1];
    const config = jsonExporterConfig().modules.logstash.metrics[0];
    expect(config.name).toBe(read);
    expect([config.name, config.valuetype, config.path]).toEqual([
      "logstash_events_in_total",
      "counter",
      "{.pipelines.port8000.events.in}",
    ]);
  });
});
