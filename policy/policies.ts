import type { Policies } from "@pulumi/policy";
import { archiveBucketHardened } from "./archive";
import {
  containerImagesPinnedByDigest,
  containersHaveResourceLimits,
  containersReadOnlyRootFilesystem,
  containersRunAsNonRoot,
} from "./containers";
import { noGrafanaFolderGrantToBasicRole } from "./grafana";
import { noSecretInConfigMap, noSecretInHelmValues, noSecretInPlainOutput } from "./secrets";
import { statefulResourcesProtected, volumeClaimsRetained } from "./state";

/** Every policy of the pack; policy/index.ts serves them, tests call them directly. */
export const POLICIES: Policies = [
  archiveBucketHardened,
  statefulResourcesProtected,
  volumeClaimsRetained,
  noSecretInConfigMap,
  noSecretInHelmValues,
  noSecretInPlainOutput,
  noGrafanaFolderGrantToBasicRole,
  containersRunAsNonRoot,
  containersReadOnlyRootFilesystem,
  containersHaveResourceLimits,
  containerImagesPinnedByDigest,
];

export const POLICY_PACK_NAME = "port8000-monitoring";
