import { generateKeyPairSync, randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { requireTool } from "../lib/tools";
import { lockState, type StateLock } from "../local/lock";
import { portInUse, Supervisor } from "../local/supervisor";
import { isReady, type KubeTarget, serverSideApply } from "./kube";

/**
 * A Kubernetes control plane for tests: etcd and kube-apiserver, built from their Go modules,
 * on loopback. No kubelet, scheduler or controller-manager runs: objects are stored, validated
 * and admitted, and operators reconcile them, but no Pod ever starts.
 *
 * Clients authenticate with a static admin token (system:masters); anonymous requests are bound
 * to cluster-admin too, for the operator, which reaches the server by address without a token.
 * It listens on 127.0.0.1 only and holds nothing but test objects.
 */

export const LOOPBACK = "127.0.0.1";
export const KUBECONFIG_FILE = "kubeconfig";

export const ClusterPort = { etcdClient: 0, etcdPeer: 1, apiServer: 2 } as const;
export type ClusterPorts = Readonly<Record<keyof typeof ClusterPort, number>>;

export class ClusterPortInUse extends Error {
  constructor(
    readonly port: number,
    readonly what: string,
  ) {
    super(
      `port ${port} (${what}) is already in use; stop what uses it or pick another --port-base`,
    );
  }
}

export function portsFrom(base: number): ClusterPorts {
  return {
    etcdClient: base + ClusterPort.etcdClient,
    etcdPeer: base + ClusterPort.etcdPeer,
    apiServer: base + ClusterPort.apiServer,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Three ports the kernel just handed out, or the three from --port-base on. */
export async function choosePorts(portBase?: number): Promise<ClusterPorts> {
  if (portBase !== undefined) return portsFrom(portBase);
  const [etcdClient, etcdPeer, apiServer] = await Promise.all([freePort(), freePort(), freePort()]);
  return { etcdClient, etcdPeer, apiServer };
}

async function assertFree(ports: ClusterPorts): Promise<void> {
  for (const [what, port] of Object.entries(ports)) {
    if (await portInUse(port)) throw new ClusterPortInUse(port, what);
  }
}

export interface ControlPlane {
  readonly stateDir: string;
  readonly kubeconfig: string;
  readonly target: KubeTarget;
  readonly ports: ClusterPorts;
  readonly supervisor: Supervisor;
  stop(): Promise<void>;
}

function serviceAccountKeys(dir: string): { key: string; pub: string } {
  const key = join(dir, "sa.key");
  const pub = join(dir, "sa.pub");
  if (!existsSync(key)) {
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(key, pair.privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    writeFileSync(pub, pair.publicKey.export({ type: "spki", format: "pem" }));
  }
  return { key, pub };
}

function etcdArgs(dir: string, ports: ClusterPorts): string[] {
  const client = `http://${LOOPBACK}:${ports.etcdClient}`;
  const peer = `http://${LOOPBACK}:${ports.etcdPeer}`;
  return [
    "--name=test",
    `--data-dir=${join(dir, "etcd")}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=test=${peer}`,
    // Test data: durability across a power cut is worth nothing, fsync time is.
    "--unsafe-no-fsync",
    "--log-level=warn",
  ];
}

function apiServerArgs(dir: string, ports: ClusterPorts, token: string): string[] {
  const sa = serviceAccountKeys(dir);
  const tokens = join(dir, "tokens.csv");
  writeFileSync(tokens, `${token},admin,admin,system:masters\n`, { mode: 0o600 });
  return [
    `--etcd-servers=http://${LOOPBACK}:${ports.etcdClient}`,
    `--bind-address=${LOOPBACK}`,
    `--advertise-address=${LOOPBACK}`,
    `--secure-port=${ports.apiServer}`,
    `--cert-dir=${join(dir, "pki")}`,
    `--token-auth-file=${tokens}`,
    "--authorization-mode=RBAC",
    "--anonymous-auth=true",
    "--service-cluster-ip-range=10.96.0.0/16",
    "--service-account-issuer=https://kubernetes.default.svc",
    `--service-account-key-file=${sa.pub}`,
    `--service-account-signing-key-file=${sa.key}`,
    "--enable-priority-and-fairness=false",
  ];
}

function writeKubeconfig(file: string, target: KubeTarget, caFile: string): void {
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: "test", cluster: { server: target.server, "certificate-authority": caFile } },
    ],
    users: [{ name: "admin", user: { token: target.token } }],
    contexts: [{ name: "test", context: { cluster: "test", user: "admin" } }],
    "current-context": "test",
  };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
}

async function bindAnonymousAdmin(target: KubeTarget): Promise<void> {
  const binding = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "test-anonymous-admin" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "system:anonymous" }],
  };
  const resource = {
    groupVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    plural: "clusterrolebindings",
    namespaced: false,
  };
  // Applied, not created: a seeded store already holds it.
  const res = await serverSideApply(target, resource, binding, {
    fieldManager: "port8000-cluster",
  });
  if (res.status >= 300)
    throw new Error(`binding anonymous: ${res.status} ${JSON.stringify(res.body)}`);
}

export interface StartOptions {
  readonly stateDir: string;
  readonly portBase?: number;
  readonly progress?: (line: string) => void;
  /** An etcd data directory to start from (copied) instead of an empty store. */
  readonly seed?: string;
}

export async function startControlPlane(options: StartOptions): Promise<ControlPlane> {
  const etcd = requireTool("etcd");
  const apiServer = requireTool("kube-apiserver");
  const { stateDir } = options;
  mkdirSync(stateDir, { recursive: true });
  const lock: StateLock = lockState(stateDir);
  const supervisor = new Supervisor();
  try {
    const ports = await choosePorts(options.portBase);
    await assertFree(ports);
    const caFile = join(stateDir, "pki", "apiserver.crt");
    const server = `https://${LOOPBACK}:${ports.apiServer}`;
    const token = randomBytes(24).toString("hex");
    const target = () => ({ server, ca: readFileSync(caFile, "utf8"), token });
    // Every run starts from an empty store; only the keys and certificates are kept.
    rmSync(join(stateDir, "etcd"), { recursive: true, force: true });
    if (options.seed) cpSync(options.seed, join(stateDir, "etcd"), { recursive: true });
    options.progress?.("starting etcd");
    await supervisor.start({
      name: "etcd",
      command: etcd,
      args: etcdArgs(stateDir, ports),
      readyUrl: `http://${LOOPBACK}:${ports.etcdClient}/health`,
      port: ports.etcdClient,
      logFile: join(stateDir, "etcd.log"),
    });
    options.progress?.("starting kube-apiserver");
    await supervisor.start({
      name: "kube-apiserver",
      command: apiServer,
      args: apiServerArgs(stateDir, ports, token),
      readyUrl: `${server}/readyz`,
      ready: () => (existsSync(caFile) ? isReady(target()) : Promise.resolve(false)),
      readyTimeoutMs: 180_000,
      port: ports.apiServer,
      logFile: join(stateDir, "kube-apiserver.log"),
    });
    const kubeconfig = join(stateDir, KUBECONFIG_FILE);
    writeKubeconfig(kubeconfig, target(), caFile);
    await bindAnonymousAdmin(target());
    const stop = async () => {
      await supervisor.stopAll();
      lock.release();
    };
    return { stateDir, kubeconfig, target: target(), ports, supervisor, stop };
  } catch (err) {
    await supervisor.stopAll();
    lock.release();
    throw err;
  }
}
