/**
 * Routes a request through Ingress resources the way networking.k8s.io/v1 defines it: a rule
 * applies to its host (exact, or `*.` matching one leading label); `Exact` matches the path
 * as is, `Prefix` matches whole `/`-separated elements (a trailing slash ignored); the longest
 * matching path wins, `Exact` before `Prefix` at equal length. ImplementationSpecific depends
 * on the controller, so it is refused here rather than guessed.
 */

export interface IngressManifest {
  metadata: { namespace: string };
  spec: {
    ingressClassName?: string;
    defaultBackend?: unknown;
    rules?: {
      host?: string;
      http?: {
        paths: {
          path: string;
          pathType: string;
          backend: { service: { name: string; port: { name?: string; number?: number } } };
        }[];
      };
    }[];
  };
}

export interface Route {
  readonly namespace: string;
  readonly service: string;
  readonly port: { name?: string; number?: number };
}

function hostMatches(ruleHost: string | undefined, host: string): boolean {
  if (!ruleHost) return true;
  if (ruleHost.startsWith("*."))
    return host.endsWith(ruleHost.slice(1)) && !host.slice(0, -ruleHost.length + 1).includes(".");
  return ruleHost === host;
}

const elements = (p: string) => p.split("/").filter(Boolean);

function pathMatches(pathType: string, rulePath: string, path: string): boolean {
  if (pathType === "Exact") return rulePath === path;
  if (pathType === "Prefix") {
    const want = elements(rulePath);
    const got = elements(path);
    return want.every((e, i) => got[i] === e);
  }
  throw new Error(`pathType ${pathType}: controller-specific, not evaluated`);
}

export function route(
  ingresses: readonly IngressManifest[],
  ingressClass: string,
  host: string,
  path: string,
): Route | undefined {
  const candidates = ingresses
    .filter((i) => i.spec.ingressClassName === ingressClass)
    .flatMap((i) => {
      if (i.spec.defaultBackend) throw new Error("a default backend routes every path");
      return (i.spec.rules ?? [])
        .filter((r) => hostMatches(r.host, host))
        .flatMap((r) => (r.http?.paths ?? []).map((p) => ({ namespace: i.metadata.namespace, p })));
    })
    .filter(({ p }) => pathMatches(p.pathType, p.path, path))
    .sort(
      (a, b) =>
        b.p.path.length - a.p.path.length ||
        Number(b.p.pathType === "Exact") - Number(a.p.pathType === "Exact"),
    );
  const best = candidates[0];
  return best
    ? {
        namespace: best.namespace,
        service: best.p.backend.service.name,
        port: best.p.backend.service.port,
      }
    : undefined;
}
