import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import { PROJECT, SECRET_PLACEHOLDER } from "../lib/conventions";

/** Reads a Pulumi.<stack>.yaml the way the engine hands it to a program; never decrypts. */

export interface StackFileConfig {
  /** Full keys ("project:key" or "provider:key") to the string the engine would pass. */
  readonly config: Record<string, string>;
  /** Full keys whose value (or a value inside it) is a `secure:` one. */
  readonly secretKeys: string[];
}

export class StackFileError extends Error {}

function isSecure(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    Object.keys(value).length === 1 &&
    "secure" in value
  );
}

function maskSecure(value: unknown, found: { secret: boolean }): unknown {
  if (isSecure(value)) {
    found.secret = true;
    return SECRET_PLACEHOLDER;
  }
  if (Array.isArray(value)) return value.map((v) => maskSecure(v, found));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecure(v, found)]));
  }
  return value;
}

function fullKey(key: string): string {
  return key.includes(":") ? key : `${PROJECT}:${key}`;
}

export function parseStackFile(text: string, source: string): StackFileConfig {
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (err) {
    throw new StackFileError(`${source}: not valid YAML: ${(err as Error).message}`);
  }
  const raw = (doc as { config?: unknown } | null)?.config ?? {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new StackFileError(`${source}: "config" must be a map of keys to values`);
  }
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const found = { secret: false };
    const masked = maskSecure(value, found);
    config[fullKey(key)] = typeof masked === "string" ? masked : JSON.stringify(masked);
    if (found.secret) secretKeys.push(fullKey(key));
  }
  return { config, secretKeys };
}

export function readStackFile(path: string): StackFileConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new StackFileError(`${path}: cannot read the stack file`);
  }
  return parseStackFile(text, path);
}
