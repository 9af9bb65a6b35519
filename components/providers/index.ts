import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pagerduty from "@pulumi/pagerduty";
import * as pulumi from "@pulumi/pulumi";
import * as grafana from "@pulumiverse/grafana";
import type { StackConfig, StackSecrets } from "../config";

/*
 * Explicit providers, so the target cluster, region and Grafana come from the stack's config
 * alone: the dr stack differs from prod only in Pulumi.dr.yaml.
 */

function clusterArgs(config: StackConfig): k8s.ProviderArgs {
  return { context: config.cluster.context, enableServerSideApply: true };
}

/** For what must exist before the deploy-freeze gate can be read: the namespace and the gate. */
export function createClusterProvider(config: StackConfig): k8s.Provider {
  return new k8s.Provider("kubernetes", clusterArgs(config));
}

export interface GatedProviders {
  readonly kubernetes: k8s.Provider;
  readonly aws: aws.Provider;
  readonly grafana: grafana.Provider;
  /** Only with `escalation` (every deployed stack): its token is the `pagerdutyToken` secret. */
  readonly pagerduty?: pagerduty.Provider;
}

/**
 * Providers that wait for `gate` (the deploy freeze), so nothing they manage changes while a
 * freeze holds, even under `pulumi up --skip-preview` (as pulumi/actions runs it).
 */
export function createGatedProviders(
  config: StackConfig,
  secrets: StackSecrets,
  gate: pulumi.Input<pulumi.Resource>,
): GatedProviders {
  const gated = { dependsOn: [gate] };
  return {
    kubernetes: new k8s.Provider("kubernetes-gated", clusterArgs(config), gated),
    aws: new aws.Provider(
      "aws",
      {
        region: config.deployment.region as aws.Region,
        defaultTags: {
          tags: { project: "port8000-monitoring", environment: config.deployment.environment },
        },
      },
      gated,
    ),
    grafana: new grafana.Provider(
      "grafana",
      { url: config.grafana.url, auth: secrets.grafanaAuth ?? pulumi.secret("") },
      gated,
    ),
    pagerduty: config.escalation
      ? new pagerduty.Provider(
          "pagerduty",
          { token: secrets.pagerdutyToken ?? pulumi.secret("") },
          gated,
        )
      : undefined,
  };
}
