import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as grafana from "@pulumiverse/grafana";
import type { StackConfig, StackSecrets } from "../config";

export interface Providers {
  readonly kubernetes: k8s.Provider;
  readonly aws: aws.Provider;
  readonly grafana: grafana.Provider;
}

/**
 * Explicit providers, so the target cluster, region and Grafana come from the stack's config
 * alone: the dr stack differs from prod only in Pulumi.dr.yaml.
 */
export function createProviders(config: StackConfig, secrets: StackSecrets): Providers {
  return {
    kubernetes: new k8s.Provider("kubernetes", {
      context: config.cluster.context,
      enableServerSideApply: true,
    }),
    aws: new aws.Provider("aws", {
      region: config.deployment.region as aws.Region,
      defaultTags: {
        tags: { project: "port8000-monitoring", environment: config.deployment.environment },
      },
    }),
    grafana: new grafana.Provider("grafana", {
      url: config.grafana.url,
      auth: secrets.grafanaAuth ?? pulumi.secret(""),
    }),
  };
}
