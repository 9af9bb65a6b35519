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
    const deployed = args.config.deployment.environment !== "local";
    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: args.config.cluster.namespace,
          labels: { "app.kubernetes.io/part-of": "port8000-monitoring" },
        },
      },
      // Protected and retained: removed from the program or the stack, it stays in the cluster.
      { parent: this, protect: deployed, retainOnDelete: deployed },
    );
    this.name = namespace.metadata.name;
    this.registerOutputs({ name: this.name });
  }
}
