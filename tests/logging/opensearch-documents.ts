import { isIP } from "node:net";

/**
 * How OpenSearch parses a document against an index's mappings, for the fields the mapping
 * declares (documented behaviour of the field types and of `dynamic`):
 * - an object mapping takes an object (or an array of them, or null); a concrete value is
 *   refused ("object mapping … tried to parse field … as object, but found a concrete value");
 * - a leaf field takes a value, an array of values, or null; an object is refused;
 * - keyword and text take strings, numbers and booleans (indexed as their text);
 * - numeric types take numbers and numeric strings (`coerce` is on by default: decimals are
 *   truncated for integer types) within the type's range, never booleans;
 * - date takes what its `format` parses (default `strict_date_optional_time||epoch_millis`);
 * - ip takes an IPv4 or IPv6 address; boolean takes true/false, "true"/"false" and "";
 * - `ignore_malformed: true` keeps a document whose value the type refuses;
 * - an unmapped key is ignored under `dynamic: false`, refused under `strict`, and would be
 *   added under `true` (the default).
 * Keys with dots are objects, as OpenSearch expands them.
 */

export interface FieldMapping {
  type?: string;
  properties?: Record<string, FieldMapping>;
  dynamic?: boolean | "strict" | "true" | "false";
  format?: string;
  coerce?: boolean;
  ignore_malformed?: boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const RANGES: Record<string, [number, number]> = {
  byte: [-128, 127],
  short: [-32_768, 32_767],
  integer: [-2_147_483_648, 2_147_483_647],
  long: [-(2 ** 63), 2 ** 63 - 1],
  unsigned_long: [0, 2 ** 64 - 1],
};
const DECIMALS = new Set(["float", "half_float", "double", "scaled_float"]);

/** strict_date_optional_time: yyyy[-MM[-dd]] then optional THH[:mm[:ss[.fraction]]] and zone. */
const STRICT_DATE_OPTIONAL_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/;

function validDateParts(m: RegExpExecArray): boolean {
  const [, , month, day, hour, minute, second] = m.map((p) => (p === undefined ? 0 : Number(p)));
  if (m[2] !== undefined && (month < 1 || month > 12)) return false;
  if (m[3] !== undefined && (day < 1 || day > 31)) return false;
  return hour <= 23 && minute <= 59 && second <= 59;
}

function dateAccepted(value: Json, format: string): boolean {
  return format.split("||").some((f) => {
    if (f === "epoch_millis" || f === "epoch_second")
      return (
        typeof value === "number" || (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value))
      );
    if (f === "strict_date_optional_time" || f === "date_optional_time") {
      if (typeof value !== "string") return false;
      const m = STRICT_DATE_OPTIONAL_TIME.exec(value);
      return m !== null && validDateParts(m);
    }
    throw new Error(`date format ${f} is not modelled by this check`);
  });
}

function numberOf(value: Json): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value))
    return Number(value);
  return undefined;
}

/** Why a leaf of this mapping refuses this (non-object, non-array) value, or undefined. */
function leafRefusal(mapping: FieldMapping, value: Json): string | undefined {
  if (value === null) return undefined;
  const type = mapping.type ?? "object";
  const shown = JSON.stringify(value);
  if (type === "keyword" || type === "text" || type === "match_only_text" || type === "wildcard")
    return undefined;
  if (type in RANGES || DECIMALS.has(type)) {
    if (typeof value === "boolean") return `${type} refuses a boolean (${shown})`;
    if (typeof value === "string" && mapping.coerce === false)
      return `${type} with coerce: false refuses a string (${shown})`;
    const n = numberOf(value);
    if (n === undefined || !Number.isFinite(n)) return `${type} cannot parse ${shown}`;
    if (type in RANGES) {
      if (!Number.isInteger(n) && mapping.coerce === false)
        return `${type} with coerce: false refuses a decimal (${shown})`;
      const [min, max] = RANGES[type];
      if (Math.trunc(n) < min || Math.trunc(n) > max)
        return `${shown} is out of range for ${type} [${min}, ${max}]`;
    }
    return undefined;
  }
  if (type === "date")
    return dateAccepted(value, mapping.format ?? "strict_date_optional_time||epoch_millis")
      ? undefined
      : `date (${mapping.format ?? "strict_date_optional_time||epoch_millis"}) cannot parse ${shown}`;
  if (type === "ip")
    return typeof value === "string" && isIP(value) !== 0 ? undefined : `ip cannot parse ${shown}`;
  if (type === "boolean")
    return value === true || value === false || ["true", "false", ""].includes(value as string)
      ? undefined
      : `boolean cannot parse ${shown}`;
  throw new Error(`field type ${type} is not modelled by this check`);
}

/** `{"a.b": 1}` is `{"a": {"b": 1}}` to OpenSearch. */
function expandDots(doc: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(doc)) {
    const parts = key.split(".");
    let level = out;
    for (const part of parts.slice(0, -1)) {
      if (!isObject(level[part])) level[part] = {};
      level = level[part] as Record<string, Json>;
    }
    const last = parts[parts.length - 1];
    const expanded = isObject(value) ? expandDots(value) : value;
    level[last] =
      isObject(level[last]) && isObject(expanded)
        ? { ...(level[last] as Record<string, Json>), ...expanded }
        : expanded;
  }
  return out;
}

const isObjectMapping = (m: FieldMapping) =>
  m.properties !== undefined || m.type === undefined || m.type === "object";

function fieldErrors(mapping: FieldMapping, value: Json, path: string, dynamic: string): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => fieldErrors(mapping, v, path, dynamic));
  if (isObjectMapping(mapping)) {
    if (value === null) return [];
    if (!isObject(value))
      return [
        `object mapping for [${path}] tried to parse field [${path}] as object, but found a concrete value (${JSON.stringify(value)})`,
      ];
    return objectErrors(mapping, value, `${path}.`, dynamic);
  }
  if (isObject(value))
    return [`failed to parse field [${path}] of type [${mapping.type}]: it received an object`];
  if (mapping.ignore_malformed) return [];
  const refusal = leafRefusal(mapping, value);
  return refusal ? [`failed to parse field [${path}] of type [${mapping.type}]: ${refusal}`] : [];
}

function objectErrors(
  mapping: FieldMapping,
  value: Record<string, Json>,
  prefix: string,
  inherited: string,
): string[] {
  const dynamic = String(mapping.dynamic ?? inherited);
  return Object.entries(value).flatMap(([key, child]) => {
    const path = `${prefix}${key}`;
    const declared = mapping.properties?.[key];
    if (declared) return fieldErrors(declared, child, path, dynamic);
    if (dynamic === "strict")
      return [
        `mapping set to strict, dynamic introduction of [${key}] within [${prefix.slice(0, -1) || "_doc"}] is not allowed`,
      ];
    return [];
  });
}

/** The reasons OpenSearch would refuse this document under these mappings; [] if it indexes it. */
export function documentErrors(
  mappings: FieldMapping,
  document: Record<string, unknown>,
): string[] {
  return objectErrors(mappings, expandDots(document as Record<string, Json>), "", "true");
}
