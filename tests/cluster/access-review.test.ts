import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyAll } from "../../cluster/apply";
import type { ControlPlane } from "../../cluster/control-plane";
import { FIELD_MANAGER } from "../../cluster/crds";
import { type KubeTarget, kubeRequest } from "../../cluster/kube";
import { expectedAccess } from "../../components/access/matrix";
import { ACCESS_REVIEW_ACCOUNT } from "../../components/ops-schedule/workload";
import { runOps } from "../../ops/cli";
import { kubernetesLiveCheck, liveBindings } from "../../ops/kube-access";
import { stackConfig } from "../alertmanager/support";
import { captured } from "../support/captured";
import { listen, standIn } from "../support/ops-stand-in";
import { ROOT, runStack } from "../support/program";
import { declaredObjects, ensureNamespaces, startCluster, undeclaredNamespaces } from "./support";

/**
 * The quarterly access review against a real kube-apiserver: every ServiceAccount, Role and
 * binding prod declares (its own and its charts') applied, the review run with the quarterly
 * job's own service-account token, then a planted extra binding, a team group bound
 * cluster-wide and a removed team binding, which the review must name.
 */

jest.setTimeout(600_000);

const RBAC_KINDS = ["ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];
const NS = "monitoring";
const RBAC = "/apis/rbac.authorization.k8s.io/v1";

let plane: ControlPlane;
let reviewer: KubeTarget;
const expected = expectedAccess(stackConfig("prod"));

/** A token for the quarterly job's service account, as the kubelet would mount it. */
async function serviceAccountToken(admin: KubeTarget): Promise<string> {
  const res = await kubeRequest(
    admin,
    "POST",
    `/api/v1/namespaces/${NS}/serviceaccounts/${ACCESS_REVIEW_ACCOUNT}/token`,
    { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: {} },
  );
  if (res.status !== 201)
    throw new Error(`TokenRequest: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { status: { token: string } }).status.token;
}

beforeAll(async () => {
  plane = await startCluster();
  const run = await runStack("prod");
  const { objects, namespaceOf } = await declaredObjects(plane.target, run.resources);
  const rbac = objects.filter(
    (d) => RBAC_KINDS.includes(d.object.kind) || d.object.kind === "Namespace",
  );
  await ensureNamespaces(plane.target, undeclaredNamespaces(rbac, namespaceOf));
  const results = await applyAll(plane.target, rbac, { fieldManager: FIELD_MANAGER }, namespaceOf);
  const rejected = results.filter((r) => r.verdict === "rejected");
  if (rejected.length) throw new Error(JSON.stringify(rejected, null, 2));
  reviewer = { ...plane.target, token: await serviceAccountToken(plane.target) };
});

afterAll(async () => {
  await plane?.stop();
});

describe("the Kubernetes access review on a real API server", () => {
  it("finds every team binding as configured, and nothing else, with the quarterly job's token", async () => {
    const review = kubernetesLiveCheck(expected, await liveBindings(reviewer, NS));
    expect(review).toMatchObject({ status: "ok" });
    expect(expected.roleBindings.length).toBeGreaterThan(0);
  });

  it("the job's token may list bindings and nothing more", async () => {
    const status = async (method: string, path: string, body?: unknown) =>
      (await kubeRequest(reviewer, method, path, body)).status;
    expect({
      listNamespaceBindings: await status("GET", `${RBAC}/namespaces/${NS}/rolebindings`),
      listClusterBindings: await status("GET", `${RBAC}/clusterrolebindings`),
      getOneBinding: await status(
        "GET",
        `${RBAC}/namespaces/${NS}/rolebindings/${ACCESS_REVIEW_ACCOUNT}`,
      ),
      otherNamespace: await status("GET", `${RBAC}/namespaces/kube-system/rolebindings`),
      roles: await status("GET", `${RBAC}/namespaces/${NS}/roles`),
      secrets: await status("GET", `/api/v1/namespaces/${NS}/secrets`),
      createBinding: await status("POST", `${RBAC}/namespaces/${NS}/rolebindings`, {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "self-grant" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
        subjects: [{ kind: "ServiceAccount", name: ACCESS_REVIEW_ACCOUNT, namespace: NS }],
      }),
    }).toEqual({
      listNamespaceBindings: 200,
      listClusterBindings: 200,
      getOneBinding: 403,
      otherNamespace: 403,
      roles: 403,
      secrets: 403,
      createBinding: 403,
    });
  });

  describe("after someone changed the grants by hand", () => {
    const removed = expected.roleBindings[0];
    let kubeconfig: string;
    let server: Server;
    let api: string;

    beforeAll(async () => {
      const admin = plane.target;
      const planted = [
        [
          `${RBAC}/namespaces/${NS}/rolebindings`,
          {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: "debug-mallory", namespace: NS },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
            subjects: [
              { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "mallory@example.com" },
            ],
          },
        ],
        [
          `${RBAC}/clusterrolebindings`,
          {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: "leadership-everywhere" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
            subjects: [
              { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "port8000:leadership" },
            ],
          },
        ],
      ] as const;
      for (const [path, object] of planted) {
        const res = await kubeRequest(admin, "POST", path, object);
        expect(res.status).toBe(201);
      }
      const del = await kubeRequest(
        admin,
        "DELETE",
        `${RBAC}/namespaces/${NS}/rolebindings/${removed.metadata.name}`,
      );
      expect(del.status).toBe(200);
      const dir = mkdtempSync(join(tmpdir(), "access-review-"));
      writeFileSync(join(dir, "ca.crt"), reviewer.ca);
      kubeconfig = join(dir, "kubeconfig");
      writeFileSync(
        kubeconfig,
        JSON.stringify({
          apiVersion: "v1",
          kind: "Config",
          clusters: [
            { name: "c", cluster: { server: reviewer.server, "certificate-authority": "ca.crt" } },
          ],
          users: [{ name: "u", user: { token: reviewer.token } }],
          contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
          "current-context": "x",
        }),
      );
      server = standIn();
      api = await listen(server);
    });
    afterAll(() => {
      server?.close();
      rmSync(join(kubeconfig, ".."), { recursive: true, force: true });
    });

    it("fails naming the planted binding and the team bound cluster-wide; the removed one is a finding", async () => {
      const review = kubernetesLiveCheck(expected, await liveBindings(reviewer, NS));
      expect(review.status).toBe("fail");
      expect(review.detail.split("\n").slice(1)).toEqual([
        `not granted by the config: RoleBinding debug-mallory in ${NS}: ClusterRole admin to User mallory@example.com`,
        "not granted by the config: ClusterRoleBinding leadership-everywhere: ClusterRole view cluster-wide to Group port8000:leadership",
        `granted by the config, missing: RoleBinding ${removed.metadata.name}: ClusterRole ${removed.roleRef.name} for Group ${removed.subjects[0].name}`,
      ]);
    });

    // runOps is the whole of `npm run ops` (tests/ops/cli.test.ts spawns the bin once).
    it("npm run ops -- quarterly --kubernetes KUBECONFIG says the same and exits 1", async () => {
      const run = await captured((streams) =>
        runOps(
          [
            "quarterly",
            "--prometheus",
            api,
            "--alertmanager",
            api,
            "--out",
            join(kubeconfig, "..", "out"),
            "--json",
            "--stack-file",
            join(ROOT, "Pulumi.prod.yaml"),
            "--kubernetes",
            kubeconfig,
            "--vulnerability-review-in-ci",
            "CI",
          ],
          { ...streams, env: process.env },
        ),
      );
      const checks = (
        JSON.parse(run.stdout) as { checks: { name: string; status: string; detail: string }[] }
      ).checks;
      expect(checks.find((c) => c.name === "access review (Kubernetes live)")).toMatchObject({
        status: "fail",
        detail: expect.stringContaining("User mallory@example.com"),
      });
      expect(run.code).toBe(1);
    });
  });
});
