import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StackConfig } from "../components/config/schema";
import { backupPrefix } from "../components/prometheus-backup/policy";
import { queryFlags, storeFlags } from "../components/thanos/workloads";
import { toYaml } from "../lib/serialize";
import { BUILD_HINT, toolBuilt, toolPath } from "../lib/tools";
import { address, httpUrl, type Ports } from "./ports";
import type { ChildSpec } from "./supervisor";

/**
 * Long-term metrics on the laptop: the Thanos sidecar uploads the local Prometheus' blocks to a
 * filesystem bucket (DIR/bucket, the prefix prod uses), a Store Gateway serves the bucket, and
 * Query deduplicates both by the replica label, with the same flags as in the cluster.
 */

export const THANOS_CHILDREN = ["thanos-sidecar", "thanos-store", "thanos-query"] as const;
/** The Store looks for new blocks this often (15m in the cluster); a test waits on it. */
export const LOCAL_STORE_SYNC = "5s";

export interface ThanosContext {
  readonly stateDir: string;
  readonly ports: Ports;
  readonly config: StackConfig;
}

export function bucketDir(stateDir: string): string {
  return join(stateDir, "bucket");
}

/** objstore.yml of the local bucket: FILESYSTEM, with the prefix the sidecar uses in prod. */
export function renderLocalObjstore(stateDir: string, config: StackConfig): string {
  return toYaml({
    type: "FILESYSTEM",
    config: { directory: bucketDir(stateDir) },
    prefix: backupPrefix(config),
  });
}

function writeObjstore(ctx: ThanosContext): string {
  const dir = join(ctx.stateDir, "config", "thanos");
  mkdirSync(dir, { recursive: true });
  mkdirSync(bucketDir(ctx.stateDir), { recursive: true });
  const file = join(dir, "objstore.yml");
  writeFileSync(file, renderLocalObjstore(ctx.stateDir, ctx.config));
  return file;
}

function dataDir(ctx: ThanosContext, name: string): string {
  const dir = join(ctx.stateDir, "data", name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function child(ctx: ThanosContext, name: string, http: number, args: string[]): ChildSpec {
  return {
    name,
    command: toolPath("thanos"),
    installHint: BUILD_HINT,
    args: [...args, `--http-address=${address(http)}`, "--log.format=logfmt"],
    readyUrl: `${httpUrl(http)}/-/ready`,
    port: http,
    logFile: join(ctx.stateDir, "logs", `${name}.log`),
  };
}

/** Sidecar, Store, Query: empty when Thanos is not built (the stack runs without it). */
export function thanosChildSpecs(ctx: ThanosContext): ChildSpec[] {
  if (!toolBuilt("thanos")) return [];
  const { ports } = ctx;
  const objstore = `--objstore.config-file=${writeObjstore(ctx)}`;
  return [
    child(ctx, "thanos-sidecar", ports.thanosSidecar, [
      "sidecar",
      `--prometheus.url=${httpUrl(ports.prometheus)}`,
      `--tsdb.path=${join(ctx.stateDir, "data", "prometheus")}`,
      `--grpc-address=${address(ports.thanosSidecarGrpc)}`,
      objstore,
    ]),
    child(ctx, "thanos-store", ports.thanosStore, [
      "store",
      `--data-dir=${dataDir(ctx, "thanos-store")}`,
      `--grpc-address=${address(ports.thanosStoreGrpc)}`,
      `--sync-block-duration=${LOCAL_STORE_SYNC}`,
      objstore,
      ...storeFlags(),
    ]),
    child(ctx, "thanos-query", ports.thanosQuery, [
      "query",
      `--grpc-address=${address(ports.thanosQueryGrpc)}`,
      ...queryFlags([address(ports.thanosSidecarGrpc), address(ports.thanosStoreGrpc)]),
    ]),
  ];
}

export const THANOS_MISSING = `thanos is not built: long-term metrics (sidecar, store, query) are off; ${BUILD_HINT}`;
