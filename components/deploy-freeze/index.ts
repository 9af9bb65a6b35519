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
 * Declares the freeze's ConfigMap (its data belongs to the automation service: ignoreChanges)
 * and judges its data as the engine found it. The project refreshes before every preview and up
 * (Pulumi.yaml `options.refresh: always`; the deploy workflow passes `refresh: true`), so that
 * data is the live ConfigMap's, and on a rebuilt cluster without it the refresh drops it from
 * the state: it is created anew with "not frozen". No separate read by the id in the state,
 * which would fail on such a cluster. `status` fails the run with a RunError while the freeze
 * holds, in the preview `pulumi up` runs first, so a held freeze stops the deploy before any
 * change.
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
    this.configMapName = state.metadata.name;
    this.status = state.data.apply((data) => {
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
