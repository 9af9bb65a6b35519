import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkPolicyManifest } from "./network-policy";

export { podDisruptionBudget } from "./disruption-budget";
export { logPipelinePolicies, monitoringNetworkPolicies } from "./monitoring";
export { networkPolicy } from "./network-policy";

export interface NetworkPoliciesArgs {
  readonly policies: readonly NetworkPolicyManifest[];
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** Declares rendered NetworkPolicies; any area (monitoring, log pipeline) passes its own. */
export class NetworkPolicies extends pulumi.ComponentResource {
  constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("port8000:hardening:NetworkPolicies", name, {}, opts);
    for (const policy of args.policies)
      new k8s.networking.v1.NetworkPolicy(`${name}-${policy.metadata.name}`, policy, {
        parent: this,
        dependsOn: args.dependsOn,
      });
    this.registerOutputs({});
  }
}
