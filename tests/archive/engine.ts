import { createValidatedPolicy, validateResourcePolicy } from "@cloud-copilot/iam-policy";
import {
  type EvaluationResult,
  runSimulation,
  runUnsafeSimulation,
  type Simulation,
  type SimulationRequestPrincipal,
} from "@cloud-copilot/iam-simulate";

/**
 * One AWS request judged by @cloud-copilot/iam-simulate: the caller's identity policies and the
 * resource's policy (bucket policy for S3, key policy for KMS), as AWS evaluates them.
 */

export type Policy = { Version: string; Statement: unknown[] };

export interface AwsRequest {
  readonly principal: SimulationRequestPrincipal;
  readonly action: string;
  readonly resource: string;
  readonly account: string;
  readonly context: Record<string, string | string[]>;
  readonly identityPolicies: readonly Policy[];
  readonly resourcePolicy: Policy;
}

// iam-simulate 0.1.173 matches variable context keys only by "/" (aws:RequestTag/…), so it
// drops `kms:EncryptionContext:aws:s3:arn`; its unvalidated engine evaluates it as given.
const VARIABLE_KEY = /^kms:EncryptionContext:/i;

function simulationOf(request: AwsRequest): Simulation {
  return {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.account },
      contextVariables: request.context,
    },
    identityPolicies: request.identityPolicies.map((policy, i) => ({
      name: `identity-${i}`,
      policy,
    })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy,
    // Every archive bucket has S3 Block Public Access on (components/archive).
    additionalSettings: { s3: { blockPublicAccess: true } },
  };
}

export async function decide(request: AwsRequest): Promise<EvaluationResult> {
  const simulation = simulationOf(request);
  const checked = await runSimulation(simulation, {});
  if (checked.resultType === "error")
    throw new Error(`${request.action} ${request.resource}: ${JSON.stringify(checked.errors)}`);
  if (checked.resultType !== "single") throw new Error(`${request.action}: not one resource`);
  const ignored = checked.result.ignoredContextKeys ?? [];
  const unknown = ignored.filter((key) => !VARIABLE_KEY.test(key));
  if (unknown.length > 0)
    throw new Error(`${request.action}: context keys AWS does not send with it: ${unknown}`);
  if (ignored.length === 0) return checked.overallResult;
  // The policies passed validation above; only the dropped key is evaluated again.
  const resourcePolicy = createValidatedPolicy(request.resourcePolicy, validateResourcePolicy, {
    name: "resource",
  });
  return runUnsafeSimulation({ ...simulation, resourcePolicy }, {});
}
