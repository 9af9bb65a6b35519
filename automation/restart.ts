import type { WebhookAlert } from "./alertmanager-webhook.ts";
import type { KubeApi } from "./cluster.ts";

/**
 * The controlled restart of a critical Port8000MemoryLeak: a rollout restart of the Port 8000
 * Deployment (what `kubectl rollout restart` does: a new pod-template annotation, so the
 * Deployment replaces its pods by its own rolling-update rules). Guarded here by a cooldown read
 * from that same annotation, which every replica of this service sees; the deploy-freeze guard
 * is the server's.
 */

export const RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

interface DeploymentBody {
  metadata?: { resourceVersion?: string };
  spec?: { template?: { metadata?: { annotations?: Record<string, string> } } };
}

/** JSON Pointer escaping of one path segment (RFC 6901). */
const pointer = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");

export function rolloutRestart(
  api: KubeApi,
  namespace: string,
  deployment: string,
  cooldownMs: number,
  now: () => Date = () => new Date(),
) {
  const path = `/apis/apps/v1/namespaces/${namespace}/deployments/${deployment}`;
  const target = `${namespace}/${deployment}`;
  return async (alert: WebhookAlert): Promise<string> => {
    const read = await api.call("GET", path);
    if (read.status >= 300) throw new Error(`read Deployment ${target}: HTTP ${read.status}`);
    const body = read.body as DeploymentBody;
    const annotations = body.spec?.template?.metadata?.annotations;
    const last = Date.parse(annotations?.[RESTARTED_AT] ?? "");
    const at = now();
    if (!Number.isNaN(last) && at.getTime() - last < cooldownMs) {
      return `restart skipped: ${target} was restarted at ${annotations?.[RESTARTED_AT]}, within the ${cooldownMs / 1000}s window`;
    }
    const stamp = at.toISOString();
    const set = annotations
      ? {
          op: "add",
          path: `/spec/template/metadata/annotations/${pointer(RESTARTED_AT)}`,
          value: stamp,
        }
      : {
          op: "add",
          path: "/spec/template/metadata/annotations",
          value: { [RESTARTED_AT]: stamp },
        };
    // The test op makes the patch conditional on the object as read: of two replicas acting on
    // one notification, the second is refused and restarts nothing.
    const patch = [
      { op: "test", path: "/metadata/resourceVersion", value: body.metadata?.resourceVersion },
      set,
    ];
    const reply = await api.call("PATCH", path, patch, "application/json-patch+json");
    if (reply.status === 409 || reply.status === 422) {
      return `restart skipped: ${target} changed since it was read (another replica restarted it)`;
    }
    if (reply.status >= 300)
      throw new Error(`restart ${target}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
    return `rollout restart of ${target} at ${stamp} (${alert.labels.alertname} on ${alert.labels.instance ?? "the service"})`;
  };
}

/** Plugin hook of the container entry (cluster.ts main): configured by the Deployment's env. */
export function restartFromEnv(env: Record<string, string | undefined>, api: KubeApi) {
  const { RESTART_NAMESPACE, RESTART_DEPLOYMENT, RESTART_COOLDOWN_SECONDS } = env;
  if (!RESTART_NAMESPACE || !RESTART_DEPLOYMENT) return undefined;
  const cooldown = Number(RESTART_COOLDOWN_SECONDS ?? "3600");
  if (!(cooldown > 0))
    throw new Error(`RESTART_COOLDOWN_SECONDS must be > 0 (got ${RESTART_COOLDOWN_SECONDS})`);
  return rolloutRestart(api, RESTART_NAMESPACE, RESTART_DEPLOYMENT, cooldown * 1000);
}
