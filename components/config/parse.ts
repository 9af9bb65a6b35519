import type { z } from "zod";
import { PROJECT } from "../../lib/conventions";
import { crossSectionProblems } from "./rules";
import { CONFIG_SECTIONS, type StackConfig, stackConfigSchema } from "./schema";
import {
  SECRET_KEYS,
  type SecretNeeds,
  type SecretPresence,
  secretNeeds,
  secretProblems,
} from "./secrets";

/** Pure parsing of a stack's config: every problem at once, each naming its key path. */

export type ParseResult = { ok: true; config: StackConfig } | { ok: false; problems: string[] };

export class ConfigProblems extends Error {
  constructor(
    readonly stack: string,
    readonly problems: readonly string[],
  ) {
    super(
      `Invalid config for stack "${stack}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigProblems";
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => {
    if (typeof part === "number") return `${out}[${part}]`;
    return out ? `${out}.${String(part)}` : String(part);
  }, "");
}

function describeValue(issue: z.core.$ZodIssue, raw: unknown): string {
  // Cross-field checks pass the effective value, which may be a default absent from raw.
  if (issue.code === "custom" && issue.params && "value" in issue.params) {
    return ` (${JSON.stringify(issue.params.value)})`;
  }
  let value: unknown = raw;
  for (const part of issue.path) {
    if (value === null || typeof value !== "object") return "";
    value = (value as Record<PropertyKey, unknown>)[part as string];
  }
  if (value === undefined || typeof value === "object") return "";
  return ` (${JSON.stringify(value)})`;
}

function formatIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const where = formatPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => formatPath([...issue.path, k]));
    return `${keys.join(", ")}: unknown key${keys.length > 1 ? "s" : ""}`;
  }
  if (issue.code === "invalid_type" && issue.input === undefined)
    return `${where}: required (${issue.expected})`;
  return `${where}${describeValue(issue, raw)}: ${issue.message}`;
}

function rawSecretNeeds(raw: Record<string, unknown>): SecretNeeds {
  const pick = (section: string, ...keys: string[]): unknown =>
    keys.reduce<unknown>(
      (v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined),
      raw[section],
    );
  const environment = pick("deployment", "environment");
  return {
    environment: typeof environment === "string" ? environment : undefined,
    smtpAuth: Boolean(pick("alerting", "email", "authUsername")),
    opensearchDatasourceAuth: Boolean(
      pick("dashboards", "datasources", "opensearch", "basicAuthUser"),
    ),
    opensearchSso: Boolean(pick("logging", "opensearch", "sso")),
    escalation: raw.escalation !== undefined,
  };
}

/** `raw` holds the project's non-secret config keys, without the namespace (see fromEngineConfig). */
export function parseStackConfig(
  raw: Record<string, unknown>,
  secrets: SecretPresence,
): ParseResult {
  const unknownKeys = Object.keys(raw).filter(
    (key) => !(CONFIG_SECTIONS as string[]).includes(key),
  );
  const unknown = unknownKeys.map(
    (key) =>
      `${key}: unknown config key (known: ${[...CONFIG_SECTIONS, ...SECRET_KEYS].join(", ")})`,
  );
  const sections = Object.fromEntries(
    Object.entries(raw).filter(([key]) => !unknownKeys.includes(key)),
  );

  // reportInput: a wrong type is reported as such, not as a missing value.
  const parsed = stackConfigSchema.safeParse(sections, { reportInput: true });
  const needs = parsed.success ? secretNeeds(parsed.data) : rawSecretNeeds(sections);
  const problems = [
    ...unknown,
    ...(parsed.success ? [] : parsed.error.issues.map((i) => formatIssue(i, sections))),
    ...secretProblems(needs, secrets),
  ];
  if (!parsed.success) return { ok: false, problems };
  problems.push(...crossSectionProblems(parsed.data));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config: parsed.data };
}

export interface EngineConfig {
  readonly raw: Record<string, unknown>;
  readonly secrets: SecretPresence;
}

/**
 * The engine's view (full "project:key" names to strings, plus the keys marked secret) turned
 * into this project's raw sections. Secret values are dropped here: pure code sees only presence.
 */
export function fromEngineConfig(
  config: Record<string, string>,
  secretKeys: readonly string[],
): EngineConfig {
  const prefix = `${PROJECT}:`;
  const secretNames = new Set<string>(SECRET_KEYS);
  const raw: Record<string, unknown> = {};
  const present = new Set<string>();
  for (const [key, value] of Object.entries(config)) {
    if (!key.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    if (secretNames.has(name)) present.add(name);
    else raw[name] = parseEngineValue(value);
  }
  const encrypted = new Set(
    secretKeys.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)),
  );
  return { raw, secrets: { present, encrypted } };
}

function parseEngineValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
