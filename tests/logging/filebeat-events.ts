import { readFileSync } from "node:fs";
import { join } from "node:path";
import { VENDOR_DIR } from "../../lib/vendored";

/**
 * The events Filebeat 8.19.2 sends for each input of a rendered filebeat.yml: the fields its
 * publisher pipeline, the input, its parsers and the configured processors add (vendored list,
 * vendor/filebeat-8.19.2/event-fields.json), the input's `fields`, and the line read.
 */

type Fields = Record<string, unknown>;
const VENDORED = JSON.parse(
  readFileSync(join(VENDOR_DIR, "filebeat-8.19.2", "event-fields.json"), "utf8"),
) as Record<string, Fields>;
export const filebeatFields = (group: string): Fields => {
  const fields = VENDORED[group];
  if (!fields) throw new Error(`no vendored Filebeat fields for ${group}`);
  return fields;
};

export interface FilebeatInput {
  type: string;
  id: string;
  paths?: string[];
  parsers?: Record<string, unknown>[];
  fields?: Record<string, unknown>;
  fields_under_root?: boolean;
  processors?: Record<string, Record<string, unknown>>[];
}
export interface FilebeatYaml {
  name?: string;
  "filebeat.inputs": FilebeatInput[];
  processors?: Record<string, Record<string, unknown>>[];
}

/** Sets a dotted path in a nested object, as Filebeat's mapstr Put does. */
export function put(target: Fields, path: string, value: unknown): void {
  const parts = path.split(".");
  let level = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof level[part] !== "object" || level[part] === null) level[part] = {};
    level = level[part] as Fields;
  }
  level[parts[parts.length - 1]] = value;
}
const getPath = (source: Fields, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>(
      (v, k) => (typeof v === "object" && v !== null ? (v as Fields)[k] : undefined),
      source,
    );

/** A Docker/containerd container ID: 64 hex characters. */
export const CONTAINER_ID = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0";

/**
 * A file a glob of the input reads. Container logs are named by the kubelet
 * `<pod>_<namespace>_<container>-<container id>.log`, so the glob's first `*` is the pod and its
 * last one the container and ID.
 */
export function samplePath(input: FilebeatInput, glob: string): string {
  if (!input.parsers?.some((p) => "container" in p)) return glob.replaceAll("*", "current");
  const stars = glob.split("*").length - 1;
  let n = 0;
  return glob.replace(/\*/g, () => {
    n += 1;
    if (n === stars) return `prometheus-${CONTAINER_ID}`;
    return n === 1 ? "prometheus-kps-prometheus-0" : "x";
  });
}

/** Filebeat registers this logs_path matcher by default (filebeat/processor/add_kubernetes_metadata). */
const DEFAULT_LOGS_PATH = "/var/lib/docker/containers/";
const CONTAINERS_DIR = "/var/log/containers/";

/**
 * The lookup keys add_kubernetes_metadata's logs_path matchers derive from log.file.path
 * (resource_type container): under /var/log/containers/ the 64 characters before `.log`, under
 * any other logs_path the 64 after it; none when no matcher's logs_path prefixes the path.
 */
export function kubernetesLookupKeys(processor: Record<string, unknown>, path: string): string[] {
  const configured = ((processor.matchers as Record<string, Record<string, string>>[]) ?? [])
    .map((m) => m.logs_path)
    .filter((m) => m !== undefined);
  const defaults: Record<string, string>[] =
    (processor.default_matchers as { enabled?: boolean } | undefined)?.enabled === false
      ? []
      : [{ logs_path: DEFAULT_LOGS_PATH }];
  return [...configured, ...defaults].flatMap((m) => {
    if ((m.resource_type ?? "container") !== "container") return [];
    const logsPath = m.logs_path.endsWith("/") ? m.logs_path : `${m.logs_path}/`;
    if (!path.startsWith(logsPath)) return [];
    if (logsPath.startsWith(CONTAINERS_DIR) && path.endsWith(".log") && path.length >= 68)
      return [path.slice(-68, -4)];
    return path.length >= logsPath.length + 64
      ? [path.slice(logsPath.length, logsPath.length + 64)]
      : [];
  });
}

const expandEnv = (value: unknown, env: Record<string, string>): unknown =>
  typeof value === "string" ? value.replace(/\$\{(\w+)\}/g, (_, name) => env[name] ?? "") : value;

function applyProcessor(
  event: Fields,
  processor: Record<string, Record<string, unknown>>,
  env: Record<string, string>,
): void {
  const [[name, settings]] = Object.entries(processor);
  if (name === "add_fields") {
    const target = (settings.target as string | undefined) ?? "fields";
    for (const [key, value] of Object.entries(settings.fields as Fields))
      put(event, target ? `${target}.${key}` : key, expandEnv(value, env));
    return;
  }
  if (name === "add_kubernetes_metadata") {
    const path = getPath(event, "log.file.path");
    const keys = typeof path === "string" ? kubernetesLookupKeys(settings, path) : [];
    // The container indexer knows the running containers by ID: the sample pod's one.
    if (!keys.includes(CONTAINER_ID)) return;
    for (const [key, value] of Object.entries(filebeatFields("add_kubernetes_metadata")))
      put(event, key, key === "container.id" ? CONTAINER_ID : value);
    return;
  }
  if (name === "rename") {
    for (const { from, to } of settings.fields as { from: string; to: string }[]) {
      const value = getPath(event, from);
      if (value === undefined) continue;
      const parent = from.split(".").slice(0, -1).join(".");
      const holder = parent ? getPath(event, parent) : event;
      delete (holder as Fields)[from.split(".").pop() as string];
      put(event, to, value);
    }
    return;
  }
  throw new Error(`Filebeat processor ${name} is not modelled`);
}

const NODE = { NODE_NAME: "ip-10-0-3-7.eu-west-1.compute.internal" };

/** The event Filebeat publishes to Logstash for one line (or journal entry) of an input. */
export function filebeatEvent(config: FilebeatYaml, input: FilebeatInput, line: string): Fields {
  const event: Fields = {};
  const groups = [
    "common",
    ...(input.type === "journald" ? ["journald"] : ["filestream"]),
    ...(input.parsers?.some((p) => "container" in p) ? ["parsers.container"] : []),
  ];
  for (const group of groups)
    for (const [key, value] of Object.entries(filebeatFields(group))) put(event, key, value);
  put(event, "input.type", input.type);
  put(event, "host.name", expandEnv(config.name, NODE) || getPath(event, "host.name"));
  if (input.type !== "journald")
    put(event, "log.file.path", samplePath(input, input.paths?.[0] ?? ""));
  event.message = line;
  for (const [key, value] of Object.entries(input.fields ?? {}))
    put(event, input.fields_under_root ? key : `fields.${key}`, value);
  for (const processor of [...(input.processors ?? []), ...(config.processors ?? [])])
    applyProcessor(event, processor, NODE);
  return event;
}
