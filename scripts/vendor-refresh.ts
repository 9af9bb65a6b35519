import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { VENDOR_DIR } from "../lib/vendored";

/**
 * Downloads every vendored file again at its pinned commit (vendor/README.md) and reports what
 * changed. Needs the internet; the tests never run it.
 */

interface Source {
  readonly repo: string;
  readonly ref: string;
  /** vendor/ path → path in the repository. */
  readonly files: Readonly<Record<string, string>>;
}

const HELM_CHARTS = "cf408a290aec489277a94450bb3511432477a53a";
const OPENSEARCH_OPERATOR = "ef6502ab27126e7a695a9983f7a3caef0532dfe7";
const LOGSTASH_PATTERNS = "7f94275ec8212f7f0aa6eb4ac5dbf3d70cd05cac";

const KPS_CRDS = [
  "alertmanagerconfigs",
  "alertmanagers",
  "podmonitors",
  "probes",
  "prometheusagents",
  "prometheuses",
  "prometheusrules",
  "scrapeconfigs",
  "servicemonitors",
  "thanosrulers",
];
const OPENSEARCH_CRDS = [
  "actiongroups",
  "clusters",
  "componenttemplates",
  "indextemplates",
  "ismpolicies",
  "roles",
  "snapshotpolicies",
  "tenants",
  "userrolebindings",
  "users",
];

/** The sources declaring the options of the pipeline's plugins, as bundled by Logstash 8.9.0. */
const LOGSTASH_PLUGINS: readonly Source[] = [
  {
    repo: "logstash-plugins/logstash-input-beats",
    ref: "5a22bb923aed7bb234d099b0b10416b57c565b82",
    files: { "logstash-plugins/input-beats-6.6.3.rb": "lib/logstash/inputs/beats.rb" },
  },
  {
    repo: "logstash-plugins/logstash-input-dead_letter_queue",
    ref: "252cbcccab88ba259d22cac6ea31b9b9e4856507",
    files: {
      "logstash-plugins/input-dead_letter_queue-2.0.0.rb":
        "lib/logstash/inputs/dead_letter_queue.rb",
    },
  },
  {
    repo: "opensearch-project/logstash-output-opensearch",
    ref: "844fb28d9e148e4042563d277b8e4c8a63392f81",
    files: {
      "logstash-plugins/output-opensearch-2.0.2.rb": "lib/logstash/outputs/opensearch.rb",
      "logstash-plugins/output-opensearch-2.0.2-api_configs.rb":
        "lib/logstash/plugin_mixins/opensearch/api_configs.rb",
    },
  },
  {
    repo: "logstash-plugins/logstash-integration-aws",
    ref: "8532ad0060748f38c8eb92aa90efbe4443933bf9",
    files: {
      "logstash-plugins/output-s3-7.1.4.rb": "lib/logstash/outputs/s3.rb",
      "logstash-plugins/output-s3-7.1.4-aws_config.rb":
        "lib/logstash/plugin_mixins/aws_config/generic.rb",
    },
  },
  {
    repo: "elastic/logstash",
    ref: "375f47bd852411a88d350503847f399e8f652104",
    files: {
      "logstash-plugins/core-8.9.0-plugin.rb": "logstash-core/lib/logstash/plugin.rb",
      "logstash-plugins/core-8.9.0-input.rb": "logstash-core/lib/logstash/inputs/base.rb",
      "logstash-plugins/core-8.9.0-output.rb": "logstash-core/lib/logstash/outputs/base.rb",
    },
  },
];

const mapEach = (names: string[], to: (n: string) => [string, string]) =>
  Object.fromEntries(names.map(to));

export const SOURCES: readonly Source[] = [
  {
    repo: "prometheus-community/helm-charts",
    ref: HELM_CHARTS,
    files: {
      "kube-prometheus-stack-88.5.3/values.yaml": "charts/kube-prometheus-stack/values.yaml",
      "kube-state-metrics-8.4.0/values.yaml": "charts/kube-state-metrics/values.yaml",
      "prometheus-node-exporter-4.56.1/values.yaml": "charts/prometheus-node-exporter/values.yaml",
      "prometheus-blackbox-exporter-11.17.2/values.yaml":
        "charts/prometheus-blackbox-exporter/values.yaml",
      ...mapEach(KPS_CRDS, (n) => [
        `kube-prometheus-stack-88.5.3/crds/crd-${n}.yaml`,
        `charts/kube-prometheus-stack/charts/crds/crds/crd-${n}.yaml`,
      ]),
    },
  },
  {
    repo: "opensearch-project/opensearch-k8s-operator",
    ref: OPENSEARCH_OPERATOR,
    files: {
      "opensearch-operator-3.0.4/values.yaml": "charts/opensearch-operator/values.yaml",
      "opensearch-cluster-3.3.1/values.yaml": "charts/opensearch-cluster/values.yaml",
    },
  },
  {
    repo: "opensearch-project/opensearch-k8s-operator",
    ref: "b7376be9a53b55dbe31dc58fea6384c1da15eb0d",
    files: {
      "opensearch-operator-3.0.0-alpha/source/constants.go":
        "opensearch-operator/pkg/helpers/constants.go",
      // The CRDs of the operator image the chart runs (its appVersion), not the chart commit's.
      ...mapEach(OPENSEARCH_CRDS, (n) => [
        `opensearch-operator-3.0.0-alpha/crds/opensearch.org_opensearch${n}.yaml`,
        `opensearch-operator/config/crd/bases/opensearch.org_opensearch${n}.yaml`,
      ]),
    },
  },
  {
    repo: "logstash-plugins/logstash-patterns-core",
    ref: LOGSTASH_PATTERNS,
    files: Object.fromEntries(
      ["legacy", "ecs-v1"].flatMap((flavour) =>
        ["grok-patterns", "httpd"].map((f) => [
          `logstash-patterns/${flavour}/${f}`,
          `patterns/${flavour}/${f}`,
        ]),
      ),
    ),
  },
  ...LOGSTASH_PLUGINS,
  {
    repo: "opensearch-project/security",
    ref: "1a875f59eb20ebee46986fbd4fb34f82f10471d8",
    files: {
      "opensearch-security/static_action_groups.yml":
        "src/main/resources/static_config/static_action_groups.yml",
    },
  },
  {
    repo: "pulumi/actions",
    ref: "v7.0.0",
    files: { "pulumi-actions-v7/action.yml": "action.yml" },
  },
];

async function refresh(source: Source, local: string, remote: string): Promise<string> {
  const url = `https://raw.githubusercontent.com/${source.repo}/${source.ref}/${remote}`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const text = await response.text();
  const target = join(VENDOR_DIR, local);
  let before = "";
  try {
    before = readFileSync(target, "utf8");
  } catch {}
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  return before === text ? "unchanged" : "updated";
}

async function main(): Promise<number> {
  let failed = 0;
  for (const source of SOURCES) {
    for (const [local, remote] of Object.entries(source.files)) {
      try {
        process.stdout.write(`${await refresh(source, local, remote)}  vendor/${local}\n`);
      } catch (error) {
        failed++;
        process.stderr.write(`failed     vendor/${local}: ${(error as Error).message}\n`);
      }
    }
  }
  return failed === 0 ? 0 : 1;
}

if (require.main === module) main().then((code) => process.exit(code));
