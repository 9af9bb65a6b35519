import { renderRuleGroups } from "./alerts/render";
import { TeamAccess } from "./components/access";
import {
  AlertmanagerReceiverSecret,
  AlertmanagerSnsRole,
  alertmanagerHelmValues,
  ROLE_ANNOTATION,
} from "./components/alertmanager";
import { LogArchive } from "./components/archive";
import { AutomationService } from "./components/automation";
import { loadConfig, type StackConfig, type StackSecrets } from "./components/config";
import { GrafanaDashboards } from "./components/dashboards";
import { DeployFreezeGate } from "./components/deploy-freeze";
import { GrafanaAccess } from "./components/grafana";
import { monitoringNetworkPolicies, NetworkPolicies } from "./components/hardening";
import { LogPipeline } from "./components/logging";
import { PipelineUser } from "./components/logging/names";
import { archiveWriters } from "./components/logging/writers";
import { MonitoringNamespace } from "./components/namespace";
import { LogSearchCluster, OpenSearchStateExporter } from "./components/opensearch";
import { OPS_SERVICE_ACCOUNT, OpsSchedule, REPORTS_PREFIX } from "./components/ops-schedule";
import { PagerDutyEscalation } from "./components/pagerduty";
import { PrometheusStack } from "./components/prometheus";
import { PrometheusBackup } from "./components/prometheus-backup";
import { createClusterProvider, createGatedProviders } from "./components/providers";
import { LongTermMetrics, sidecarDiscoveryValues } from "./components/thanos";

// Composition root: config → components → stack outputs. Nothing else belongs here.

function deployStack(config: StackConfig, secrets: StackSecrets) {
  const cluster = createClusterProvider(config);
  const onCluster = { providers: [cluster] };
  const namespace = new MonitoringNamespace("monitoring", { config }, onCluster);
  // Read first: while the HostDiskSpaceLow deploy freeze holds, the run stops here.
  const freeze = new DeployFreezeGate("deploy-freeze", { config, namespace }, onCluster);
  const gated = createGatedProviders(config, secrets, freeze.ready);
  const onGatedCluster = { providers: [gated.kubernetes] };
  const pagerduty = new PagerDutyEscalation(
    "pagerduty",
    { config },
    { providers: gated.pagerduty ? [gated.pagerduty] : [] },
  );
  // Alertmanager pages through the provisioned services' integrations, never hand-copied keys.
  const receiverSecrets: StackSecrets = {
    ...secrets,
    pagerdutyRoutingKey: pagerduty.routingKeys.critical,
    pagerdutyInfraLeadRoutingKey: pagerduty.routingKeys.infraLead,
  };
  const receiverSecret = new AlertmanagerReceiverSecret(
    "alertmanager-receivers",
    { config, secrets: receiverSecrets, dependsOn: [freeze.ready] },
    onGatedCluster,
  );
  const archive = new LogArchive(
    "log-archive",
    {
      config,
      writers: {
        ...archiveWriters(config),
        opsReports: {
          namespace: config.cluster.namespace,
          serviceAccount: OPS_SERVICE_ACCOUNT,
          grant: { prefix: REPORTS_PREFIX, access: "append" },
        },
      },
    },
    { providers: [gated.aws] },
  );
  const search = new LogSearchCluster(
    "log-search",
    {
      config,
      adminPassword: secrets.opensearchAdminPassword ?? "",
      grafanaPassword: secrets.opensearchGrafanaPassword,
      oidcClientSecret: secrets.opensearchOidcClientSecret,
      snapshotRoleArn: archive.writerRoleArns.snapshots ?? "",
      dependsOn: [freeze.ready],
    },
    onGatedCluster,
  );
  const grafana = new GrafanaAccess("grafana", { config }, { providers: [gated.grafana] });
  const smsRole = new AlertmanagerSnsRole(
    "alertmanager-sns",
    { config },
    { providers: [gated.aws] },
  );
  const smsRoleAnnotation = { [ROLE_ANNOTATION]: smsRole.roleArn };
  const backup = new PrometheusBackup(
    "prometheus-backup",
    {
      config,
      namespace: namespace.name,
      dependsOn: [freeze.ready],
    },
    { providers: [gated.kubernetes, gated.aws] },
  );
  const prometheus = new PrometheusStack(
    "prometheus",
    {
      config,
      namespace: namespace.name,
      ruleGroups: renderRuleGroups(config, { timeScale: 1 }).groups,
      parts: {
        alertmanager: alertmanagerHelmValues(config, smsRoleAnnotation),
        prometheus: { ...backup.helmValues, ...sidecarDiscoveryValues() },
      },
      dependsOn: [freeze.ready, receiverSecret, backup.secret],
      opensearchMonitorDependsOn: search.metricsSecrets,
    },
    onGatedCluster,
  );
  const longTermMetrics = new LongTermMetrics(
    "long-term-metrics",
    { config, namespace: namespace.name, dependsOn: [freeze.ready, prometheus] },
    { providers: [gated.kubernetes, gated.aws] },
  );
  const dashboards = new GrafanaDashboards(
    "grafana-dashboards",
    {
      config,
      folderUid: grafana.folderUid,
      teamIds: grafana.teamIds,
      opensearchPassword: secrets.opensearchGrafanaPassword,
      prometheusPassword: longTermMetrics.queryPassword,
    },
    { providers: [gated.grafana] },
  );
  const automation = config.alerting.automation.url
    ? undefined
    : new AutomationService(
        "automation",
        {
          config,
          token: secrets.automationToken ?? "",
          freezeConfigMap: freeze.configMapName,
          annotations: {
            grafanaToken: dashboards.annotationToken,
            deployToken: secrets.deployWebhookToken ?? "",
            pagerdutyWebhookSecret: secrets.pagerdutyWebhookSecret ?? "",
          },
          dependsOn: [freeze.ready],
          evidence: {
            opensearchPassword: search.userPasswords[PipelineUser.evidence],
            opensearchCaPem: search.caCertPem,
            slackWebhookUrl: secrets.slackWebhookUrl ?? "",
          },
        },
        onGatedCluster,
      );
  new LogPipeline(
    "log-pipeline",
    {
      config,
      logstashRoleArn: archive.writerRoleArns.logstash ?? "",
      logstashPassword: search.userPasswords[PipelineUser.logstash],
      dependsOn: [freeze.ready, search],
    },
    onGatedCluster,
  );
  new OpenSearchStateExporter(
    "opensearch-state",
    { config, dependsOn: [freeze.ready, ...search.metricsSecrets] },
    onGatedCluster,
  );
  new NetworkPolicies(
    "network",
    { policies: monitoringNetworkPolicies(config), dependsOn: [freeze.ready] },
    onGatedCluster,
  );
  new TeamAccess(
    "team-access",
    { config, archiveBucketArn: archive.bucketArn },
    { providers: [gated.kubernetes, gated.aws] },
  );
  const opsSchedule = new OpsSchedule(
    "ops-schedule",
    {
      config,
      slackWebhookUrl: secrets.slackWebhookUrl ?? "",
      reportRoleArn: archive.writerRoleArns.opsReports ?? "",
      archiveBucket: archive.bucketName,
      dependsOn: [freeze.ready],
    },
    onGatedCluster,
  );
  return {
    namespace,
    prometheus,
    archive,
    grafana,
    dashboards,
    freeze,
    automation,
    backup,
    pagerduty,
    opsSchedule,
    longTermMetrics,
  };
}

const { config, secrets } = loadConfig();
// The local stack runs on a laptop through `npm run local`; it must never touch a cluster.
const stack = config.deployment.environment === "local" ? undefined : deployStack(config, secrets);

export const environment = config.deployment.environment;
export const monitoringNamespace = stack?.namespace.name;
export const prometheusRelease = stack?.prometheus.releaseName;
export const archiveBucket = stack?.archive.bucketName;
export const prometheusBackupRole = stack?.backup.roleArn;
export const grafanaFolderUid = stack?.grafana.folderUid;
export const dashboardUrls = stack?.dashboards.dashboardUrls;
export const deployFreezeConfigMap = stack?.freeze.configMapName;
export const deployFreeze = stack?.freeze.status;
export const automationUrl = stack?.automation?.url;
export const pagerdutyServices = stack?.pagerduty.serviceIds;
export const thanosQueryUrl = stack?.longTermMetrics.queryUrl;
