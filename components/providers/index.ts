import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as grafana from "@pulumiverse/grafana";
import type { StackConfig, StackSecrets } from "../config";

/*
 * Explicit providers, so the target cluster, region and Grafana come from the stack's config
 * alone: the dr stack differs from prod only in Pulumi.dr.yaml.
 */

export function createClusterProvider(config: StackConfig): k8s.Provider {
  return new k8s.Provider("kubernetes", {
    context: config.cluster.context,
    enableServerSideApply: true,
  });
}

export interface CloudProviders {
  readonly aws: aws.Provider;
  readonly grafana: grafana.Provider;
}

/**
 * AWS and Grafana providers wait for `gate` (the deploy freeze), so nothing they manage
 * changes while a freeze holds.
 */
export function createCloudProviders(
  config: StackConfig,
  secrets: StackSecrets,
  gate: pulumi.Input<pulumi.Resource>,
): CloudProviders {
  const gated = { dependsOn: [gate] };
  return {
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
  };
}
