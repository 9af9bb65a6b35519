import yaml from "js-yaml";
import { compileGrok } from "../../lib/grok";
import { ConfigParser, type Hash, type Statement, type Value } from "./logstash-config";

/**
 * Runs the `filter` section of a rendered Logstash pipeline over one event, with the semantics
 * of the plugins it uses (Logstash 8.9.0 with config.support_escapes): grok (patterns expanded
 * and compiled by lib/grok), json, date, mutate (rename, convert, copy; then remove_field), and
 * the ruby one-liners the pipeline renders. A plugin, option or ruby line it does not know makes
 * it throw, so a new filter cannot slip past the mapping check unmodelled.
 */

export type LogstashEvent = Record<string, unknown>;

/** `[a][b]` or `a` → ["a", "b"]. */
const pathOf = (ref: string): string[] =>
  ref.startsWith("[") ? ref.slice(1, -1).split("][") : [ref];

function get(event: LogstashEvent, ref: string): unknown {
  return pathOf(ref).reduce<unknown>(
    (v, k) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[k] : undefined),
    event,
  );
}
function set(event: LogstashEvent, ref: string, value: unknown): void {
  const path = pathOf(ref);
  let level = event as Record<string, unknown>;
  for (const k of path.slice(0, -1)) {
    if (typeof level[k] !== "object" || level[k] === null) level[k] = {};
    level = level[k] as Record<string, unknown>;
  }
  level[path[path.length - 1]] = value;
}
function remove(event: LogstashEvent, ref: string): void {
  const path = pathOf(ref);
  const holder = path.length === 1 ? event : get(event, `[${path.slice(0, -1).join("][")}]`);
  if (typeof holder === "object" && holder !== null)
    delete (holder as Record<string, unknown>)[path[path.length - 1]];
}
function tag(event: LogstashEvent, tags: Value | undefined): void {
  const list = Array.isArray(tags) ? tags : tags === undefined ? [] : [tags];
  event.tags = [...((event.tags as string[]) ?? []), ...list.map(String)];
}

/** Logstash truthiness of a field reference: present, not false/null. */
function holds(event: LogstashEvent, condition: string): boolean {
  return condition.split(/\s+and\s+/).every((term) => {
    const m = /^(!)?((?:\[[^\]]+\])+)(?:\s*(==|!=)\s*"([^"]*)")?$/.exec(term.trim());
    if (!m) throw new Error(`condition "${term}" is not modelled`);
    const value = get(event, m[2]);
    const result =
      m[3] === "=="
        ? value === m[4]
        : m[3] === "!="
          ? value !== m[4]
          : value !== undefined && value !== null && value !== false;
    return m[1] ? !result : result;
  });
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A Joda pattern of the date filter (or ISO8601) to an ISO 8601 instant, UTC by default. */
function parseDate(text: string, format: string): string | undefined {
  if (format === "ISO8601") {
    if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text))
      return undefined;
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`;
    const ms = Date.parse(zoned.replace(" ", "T"));
    return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
  }
  const tokens: Record<string, string> = {
    dd: "(?<day>\\d{2})",
    MMM: "(?<month>[A-Z][a-z]{2})",
    yyyy: "(?<year>\\d{4})",
    HH: "(?<hour>\\d{2})",
    mm: "(?<minute>\\d{2})",
    ss: "(?<second>\\d{2})",
    Z: "(?<zone>[+-]\\d{4})",
  };
  const unknown = format.replace(/dd|MMM|yyyy|HH|mm|ss|Z/g, "").replace(/[/: ]/g, "");
  if (unknown) throw new Error(`date format ${format} is not modelled`);
  const body = format.replace(/dd|MMM|yyyy|HH|mm|ss|Z/g, (t) => tokens[t]);
  const g = new RegExp(`^${body}$`).exec(text)?.groups;
  const month = g ? MONTHS.indexOf(g.month) : -1;
  if (!g || month < 0) return undefined;
  const sign = g.zone?.startsWith("-") ? -1 : 1;
  const zoneMinutes = g.zone
    ? sign * (Number(g.zone.slice(1, 3)) * 60 + Number(g.zone.slice(3)))
    : 0;
  const utc =
    Date.UTC(+g.year, month, +g.day, +g.hour, +g.minute, +g.second) - zoneMinutes * 60_000;
  return new Date(utc).toISOString();
}

function convert(value: unknown, type: string): unknown {
  if (Array.isArray(value)) return value.map((v) => convert(v, type));
  if (type === "integer") {
    if (typeof value === "boolean") return value ? 1 : 0;
    if (typeof value === "number") return Math.trunc(value);
    // Ruby's String#to_i: the leading integer, 0 when there is none.
    const m = /^\s*[-+]?\d+/.exec(String(value).replace(/(\d),(\d{3})/g, "$1$2"));
    return m ? Number.parseInt(m[0], 10) : 0;
  }
  if (type === "float")
    return typeof value === "number" ? value : Number.parseFloat(String(value)) || 0;
  if (type === "string") return String(value);
  throw new Error(`mutate convert to ${type} is not modelled`);
}

const COMMON = new Set(["remove_field", "add_field", "add_tag", "tag_on_failure"]);
/** The common options a filter applies after it succeeded. */
function matched(event: LogstashEvent, settings: Hash): void {
  for (const [field, value] of Object.entries((settings.add_field ?? {}) as Hash))
    if (get(event, field) === undefined) set(event, field, value);
  for (const f of (settings.remove_field as string[] | undefined) ?? []) remove(event, f);
  if (settings.add_tag) tag(event, settings.add_tag);
}

/** Files the filters read (translate's dictionary_path), by path. */
let files: Record<string, string> = {};
function only(name: string, settings: Hash, allowed: string[]): void {
  for (const key of Object.keys(settings))
    if (!allowed.includes(key) && !COMMON.has(key))
      throw new Error(`${name} option ${key} is not modelled`);
}

const PLUGINS: Record<string, (event: LogstashEvent, s: Hash) => void> = {
  grok(event, s) {
    only("grok", s, ["match", "pattern_definitions"]);
    const [[field, pattern]] = Object.entries(s.match as Hash);
    const grok = compileGrok(
      pattern as string,
      (s.pattern_definitions ?? {}) as Record<string, string>,
    );
    const fields = grok.parse(String(get(event, field) ?? ""));
    if (!fields) return tag(event, s.tag_on_failure ?? ["_grokparsefailure"]);
    for (const [name, value] of Object.entries(fields))
      set(event, `[${name.split(".").join("][")}]`, value);
    matched(event, s);
  },
  json(event, s) {
    only("json", s, ["source"]);
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(get(event, s.source as string)));
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      return tag(event, s.tag_on_failure ?? ["_jsonparsefailure"]);
    Object.assign(event, parsed);
    matched(event, s);
  },
  date(event, s) {
    only("date", s, ["match", "target"]);
    const [field, ...formats] = s.match as string[];
    const text = String(get(event, field));
    const instant = formats.map((f) => parseDate(text, f)).find((d) => d !== undefined);
    if (!instant) return tag(event, s.tag_on_failure ?? ["_dateparsefailure"]);
    set(event, `[${(s.target as string) ?? "@timestamp"}]`, instant);
    matched(event, s);
  },
  mutate(event, s) {
    only("mutate", s, ["rename", "convert", "copy"]);
    for (const [from, to] of Object.entries((s.rename ?? {}) as Hash)) {
      const value = get(event, from);
      if (value === undefined) continue;
      remove(event, from);
      set(event, to as string, value);
    }
    for (const [field, type] of Object.entries((s.convert ?? {}) as Hash)) {
      const value = get(event, field);
      if (value !== undefined) set(event, field, convert(value, type as string));
    }
    for (const [from, to] of Object.entries((s.copy ?? {}) as Hash)) {
      const value = get(event, from);
      if (value !== undefined) set(event, to as string, structuredClone(value));
    }
    matched(event, s);
  },
  translate(event, s) {
    only("translate", s, ["source", "target", "dictionary_path", "refresh_interval", "fallback"]);
    const text = files[s.dictionary_path as string];
    // Logstash does not start a pipeline whose dictionary file is missing.
    if (text === undefined) throw new Error(`translate: no dictionary at ${s.dictionary_path}`);
    const dictionary = (yaml.load(text) ?? {}) as Record<string, unknown>;
    const key = String(get(event, s.source as string));
    const value = key in dictionary ? String(dictionary[key]) : (s.fallback as string | undefined);
    if (value === undefined) return;
    set(event, s.target as string, value);
    matched(event, s);
  },
  ruby(event, s) {
    only("ruby", s, ["code"]);
    const m =
      /^event\.set\('(\w+)', event\.get\('(\w+)'\) ([*/]) (\d+(?:\.\d+)?)\); event\.remove\('(\w+)'\)$/.exec(
        s.code as string,
      );
    if (!m) throw new Error(`ruby code is not modelled: ${s.code}`);
    const input = Number(get(event, m[2]));
    set(event, m[1], m[3] === "*" ? input * Number(m[4]) : input / Number(m[4]));
    remove(event, m[5]);
    matched(event, s);
  },
};

function run(statements: Statement[], event: LogstashEvent): void {
  for (const st of statements) {
    if (st.kind === "if") {
      if (holds(event, st.condition)) run(st.body, event);
      continue;
    }
    const plugin = PLUGINS[st.name];
    if (!plugin) throw new Error(`filter plugin ${st.name} is not modelled`);
    plugin(event, st.settings);
  }
}

/**
 * The document the opensearch output sends for a Beats event: what the beats input makes of it
 * (`@version`, the plain codec's tag), then the pipeline's filters; @metadata is not sent.
 */
export function logstashDocument(
  conf: string,
  beatsEvent: LogstashEvent,
  filesRead: Record<string, string> = {},
): LogstashEvent {
  files = filesRead;
  const event: LogstashEvent = {
    ...structuredClone(beatsEvent),
    "@version": "1",
    tags: ["beats_input_codec_plain_applied"],
  };
  run(new ConfigParser(conf).section("filter"), event);
  delete event["@metadata"];
  return event;
}
