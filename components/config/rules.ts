import { archiveRules } from "./archive-rules";
import { teamSyncProblems } from "./grafana-teams";
import { longTermMetricsRules } from "./long-term-metrics";
import { maintenanceZoneRules } from "./maintenance";
import { publicIngressProblems } from "./public-ingress";
import type { StackConfig } from "./schema";
import { sloPeriodRules } from "./slo-period";

/** Rules that span sections, checked once every section parses. Each names its key path. */

function deployedStackRules(config: StackConfig): string[] {
  const environment = config.deployment.environment;
  if (environment === "local") return [];
  const problems: string[] = [];
  if (!config.cluster.context) {
    problems.push(
      `cluster.context: required for a ${environment} stack, so that a deploy never lands on whatever kubeconfig context is current`,
    );
  }
  if (!config.cluster.oidcProviderArn) {
    problems.push(
      `cluster.oidcProviderArn: required for a ${environment} stack; without it Alertmanager has no AWS credentials and the SMS backup fails`,
    );
  }
  if (!config.cluster.name) {
    problems.push(
      `cluster.name: required for a ${environment} stack; the EKS cluster whose access entries map the team roles to their Kubernetes groups`,
    );
  }
  if (!config.logging.opensearch.sso) {
    problems.push(
      `logging.opensearch.sso: required for a ${environment} stack; without it nobody can sign in to OpenSearch Dashboards and the alerts' log links lead nowhere`,
    );
  }
  if (!config.escalation) {
    problems.push(
      `escalation: required for a ${environment} stack; it provisions PagerDuty and gives Alertmanager its routing keys`,
    );
  }
  if (!config.identity.provider) {
    problems.push(
      `identity.provider: required for a ${environment} stack; the SAML or OIDC provider in IAM whose users assume the team roles`,
    );
  }
  return problems;
}

function snsRegionRules(config: StackConfig): string[] {
  const { region, topicArn } = config.alerting.sns;
  const topicRegion = topicArn?.split(":")[3];
  if (!topicRegion || topicRegion === region) return [];
  return [`alerting.sns.region ("${region}"): the topic ${topicArn} is in ${topicRegion}`];
}

export function crossSectionProblems(config: StackConfig): string[] {
  return [
    ...deployedStackRules(config),
    ...snsRegionRules(config),
    ...sloPeriodRules(config),
    ...archiveRules(config),
    ...teamSyncProblems(config),
    ...publicIngressProblems(config),
    ...maintenanceZoneRules(config),
    ...longTermMetricsRules(config),
  ];
}
