import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import yaml from "js-yaml";
import { type KubeTarget, kubeRequest } from "../cluster/kube";
import type { ExpectedAccess } from "../components/access/matrix";
import { type Check, check } from "./checks";
import { Unreachable } from "./http";

/**
 * Guide 3.4 access review, Kubernetes live: the RoleBindings of the stack's namespace and the
 * ClusterRoleBindings as the API server has them, against the bindings the config grants. A
 * binding or subject the config does not grant fails the check; a granted one that is missing
 * is a finding. Workloads' own bindings (service accounts bound to a chart's Role) are not
 * people's access and are left out, unless they hold one of the broad built-in roles.
 */

const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
/** The built-in roles that grant people access; a binding of one is always reviewed. */
const BROAD_ROLES = ["cluster-admin", "admin", "edit", "view"];
const RBAC = "/apis/rbac.authorization.k8s.io/v1";

interface Subject {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}
export interface Binding {
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly roleRef: { readonly kind: string; readonly name: string };
  readonly subjects?: readonly Subject[];
}
export interface LiveBindings {
  readonly roleBindings: readonly Binding[];
  readonly clusterRoleBindings: readonly Binding[];
}

/**
 * `in-cluster` (the pod's service account; without one, the reason, so that the quarterly run
 * still reports its other checks) or a kubeconfig file with a bearer token (unreadable: exit 2).
 */
export function kubeTargetOf(source: string, env = process.env): KubeTarget | string {
  try {
    if (source === "in-cluster") {
      const host = env.KUBERNETES_SERVICE_HOST;
      if (!host) throw new Error("KUBERNETES_SERVICE_HOST is not set: not in a pod");
      const server = `https://${host.includes(":") ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT ?? 443}`;
      const read = (f: string) => readFileSync(`${SA_DIR}/${f}`, "utf8");
      return { server, ca: read("ca.crt"), token: read("token").trim() };
    }
    return fromKubeconfig(source);
  } catch (err) {
    const reason = `cannot use the Kubernetes API (${source}): ${(err as Error).message}`;
    if (source === "in-cluster") return reason;
    throw new Unreachable(reason);
  }
}

type Named<T> = { name: string } & T;
interface Kubeconfig {
  "current-context"?: string;
  contexts?: Named<{ context: { cluster: string; user: string } }>[];
  clusters?: Named<{
    cluster: {
      server: string;
      "certificate-authority"?: string;
      "certificate-authority-data"?: string;
    };
  }>[];
  users?: Named<{ user: { token?: string; tokenFile?: string } }>[];
}

function fromKubeconfig(file: string): KubeTarget {
  const doc = yaml.load(readFileSync(file, "utf8")) as Kubeconfig;
  const context = doc.contexts?.find((c) => c.name === doc["current-context"])?.context;
  const cluster = doc.clusters?.find((c) => c.name === context?.cluster)?.cluster;
  const user = doc.users?.find((u) => u.name === context?.user)?.user;
  if (!cluster || !user) throw new Error("no cluster and user for the current context");
  const near = (p: string) => resolve(dirname(file), p);
  const token =
    user.token ?? (user.tokenFile ? readFileSync(near(user.tokenFile), "utf8").trim() : undefined);
  if (!token) throw new Error("only a bearer token (token or tokenFile) is supported");
  const ca = cluster["certificate-authority-data"]
    ? Buffer.from(cluster["certificate-authority-data"], "base64").toString("utf8")
    : readFileSync(near(cluster["certificate-authority"] ?? ""), "utf8");
  return { server: cluster.server, ca, token };
}

/** The bindings, or the reason they cannot be read (a warning, not a stop of the run). */
export async function liveBindings(
  target: KubeTarget,
  namespace: string,
): Promise<LiveBindings | string> {
  const list = async (path: string) => {
    const res = await kubeRequest(target, "GET", path);
    if (res.status !== 200) throw new Error(`HTTP ${res.status} on ${path}`);
    return (res.body as { items: Binding[] }).items;
  };
  try {
    return {
      roleBindings: await list(`${RBAC}/namespaces/${namespace}/rolebindings`),
      clusterRoleBindings: await list(`${RBAC}/clusterrolebindings`),
    };
  } catch (err) {
    return `could not read the bindings from ${target.server} (${(err as Error).message})`;
  }
}

const who = (s: Subject) => `${s.kind} ${s.namespace ? `${s.namespace}/` : ""}${s.name}`;
const same = (a: Subject, b: Subject) =>
  a.kind === b.kind && a.name === b.name && (a.namespace ?? "") === (b.namespace ?? "");
const grant = (b: Binding) => `${b.roleRef.kind} ${b.roleRef.name}`;

/** Bindings that give people (or a workload a broad role) access and that the review covers. */
function reviewed(b: Binding): boolean {
  if (b.roleRef.kind === "ClusterRole" && BROAD_ROLES.includes(b.roleRef.name)) return true;
  return (b.subjects ?? []).some((s) => s.kind !== "ServiceAccount");
}

export function compareBindings(expected: ExpectedAccess, live: LiveBindings) {
  const extra: string[] = [];
  const missing: string[] = [];
  for (const want of expected.roleBindings) {
    const have = live.roleBindings.find((b) => b.metadata.name === want.metadata.name);
    if (!have || grant(have) !== grant(want)) {
      missing.push(
        `RoleBinding ${want.metadata.name}: ${grant(want)} for ${want.subjects.map(who).join(", ")}${have ? ` (grants ${grant(have)} instead)` : ""}`,
      );
      continue;
    }
    for (const s of want.subjects.filter((w) => !have.subjects?.some((h) => same(h, w))))
      missing.push(`RoleBinding ${want.metadata.name}: ${who(s)}`);
  }
  for (const b of live.roleBindings.filter(reviewed)) {
    const want = expected.roleBindings.find((w) => w.metadata.name === b.metadata.name);
    const subjects = want && grant(want) === grant(b) ? want.subjects : [];
    for (const s of (b.subjects ?? []).filter((h) => !subjects.some((w) => same(h, w))))
      extra.push(
        `RoleBinding ${b.metadata.name} in ${expected.namespace}: ${grant(b)} to ${who(s)}`,
      );
  }
  for (const b of live.clusterRoleBindings) {
    for (const s of b.subjects ?? []) {
      const team = s.kind === "Group" && s.name.startsWith(expected.groupPrefix);
      const workload =
        s.kind === "ServiceAccount" &&
        s.namespace === expected.namespace &&
        BROAD_ROLES.includes(b.roleRef.name);
      if (team || workload)
        extra.push(`ClusterRoleBinding ${b.metadata.name}: ${grant(b)} cluster-wide to ${who(s)}`);
    }
  }
  return { extra, missing };
}

export function kubernetesLiveCheck(expected: ExpectedAccess, live: LiveBindings | string): Check {
  const name = "access review (Kubernetes live)";
  if (typeof live === "string") return check(name, "warn", live);
  const { extra, missing } = compareBindings(expected, live);
  const lines = [
    ...extra.map((e) => `not granted by the config: ${e}`),
    ...missing.map((m) => `granted by the config, missing: ${m}`),
  ];
  const counted = `${live.roleBindings.length} RoleBindings in ${expected.namespace}, ${live.clusterRoleBindings.length} ClusterRoleBindings read`;
  if (lines.length === 0)
    return check(name, "ok", `${counted}; the teams' bindings exactly as configured`);
  return check(name, extra.length ? "fail" : "warn", [counted, ...lines].join("\n"));
}

/** The expected grants the quarterly CronJob ships in its ConfigMap. */
export function readExpectedAccess(file: string): ExpectedAccess {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as ExpectedAccess;
  } catch (err) {
    throw new Unreachable(`cannot read the expected access ${file} (${(err as Error).message})`);
  }
}
