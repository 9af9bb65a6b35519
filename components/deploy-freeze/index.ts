import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import {
  FREEZE_CONFIGMAP,
  FREEZE_OVERRIDE_ENV,
  freezeVerdict,
  INITIAL_FREEZE_DATA,
} from "./verdict";

export { FREEZE_CONFIGMAP, FREEZE_OVERRIDE_ENV, freezeVerdict } from "./verdict";

export interface DeployFreezeGateArgs {
  readonly config: StackConfig;
  /** The monitoring namespace, which must exist before the state ConfigMap. */
  readonly namespace: pulumi.Resource;
  /** Defaults to process.env[FREEZE_OVERRIDE_ENV]. */
  readonly override?: string;
}

/**
 * Declares the freeze's ConfigMap (its data belongs to the automation service) and reads the
 * live one. `status` fails the run with a RunError while the freeze holds; the read happens in
 * the preview `pulumi up` runs first, so a held freeze stops the deploy before any change.
 */
export class DeployFreezeGate extends pulumi.ComponentResource {
  readonly configMapName: pulumi.Output<string>;
  /** "clear", or "overridden: <reason>"; fails the run while the freeze holds. */
  readonly status: pulumi.Output<string>;
  /** For `dependsOn`: resolves only once the freeze is known not to hold. */
  readonly ready: pulumi.Output<pulumi.Resource>;

  constructor(name: string, args: DeployFreezeGateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("port8000:deploy-freeze:DeployFreezeGate", name, {}, opts);
    const { namespace } = args.config.cluster;
    const override =
      args.override ??
      process.env[FREEZE_OVERRIDE_ENV] ??
      args.config.alerting.deployFreezeOverride;
    const state = new k8s.core.v1.ConfigMap(
      `${name}-state`,
      {
        metadata: {
          name: FREEZE_CONFIGMAP,
          namespace,
          labels: { "app.kubernetes.io/part-of": "port8000-monitoring" },
        },
        data: INITIAL_FREEZE_DATA,
      },
      { parent: this, dependsOn: [args.namespace], ignoreChanges: ["data"] },
    );
    // A ConfigMap still to be created has no id in preview; then there is nothing to read yet.
    const live = state.id.apply(
      (id) => k8s.core.v1.ConfigMap.get(`${name}-live`, id, { parent: this }).data,
    );
    this.configMapName = state.metadata.name;
    this.status = live.apply((data) => {
      const verdict = freezeVerdict(data, override, `${namespace}/${FREEZE_CONFIGMAP}`);
      if (verdict.kind === "blocked") throw new pulumi.RunError(verdict.message);
      if (verdict.kind === "clear") return "clear";
      pulumi.log.warn(verdict.message, this);
      return `overridden: ${override}`;
    });
    this.ready = this.status.apply(() => state as pulumi.Resource);
    this.registerOutputs({ configMapName: this.configMapName, status: this.status });
  }
}
