import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";

export interface MonitoringNamespaceArgs {
  readonly config: StackConfig;
}

/** The namespace every monitoring workload lives in; deleting it would lose Alertmanager state. */
export class MonitoringNamespace extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: MonitoringNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("port8000:monitoring:Namespace", name, {}, opts);
    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: args.config.cluster.namespace,
          labels: { "app.kubernetes.io/part-of": "port8000-monitoring" },
        },
      },
      { parent: this, protect: args.config.deployment.environment !== "local" },
    );
    this.name = namespace.metadata.name;
    this.registerOutputs({ name: this.name });
  }
}
