import type { LogKind } from "../config/logging";

/**
 * The grok patterns of the pipeline, as data: the pipeline renders them and the tests expand and
 * compile them exactly as written here. Patterns come from the vendored legacy pattern set
 * (logstash-patterns-core) plus the definitions below; `:int`/`:float` make numbers numbers.
 */

/** Custom patterns, passed to grok as `pattern_definitions`. */
export const PATTERN_DEFINITIONS: Readonly<Record<string, string>> = {
  /** Werkzeug's request log time, e.g. 03/Dec/2026 17:05:12. */
  WERKZEUG_TIME: "%{MONTHDAY}/%{MONTH}/%{YEAR} %{TIME}",
  /** The request line of an access log, split into method, path, query and version. */
  PORT8000_REQUEST:
    "%{WORD:[http][method]} %{URIPATH:[url][path]}(?:%{URIPARAM:[url][query]})? HTTP/%{NUMBER:[http][version]}",
};

const CLIENT = "%{IPORHOST:[client][ip]} %{HTTPDUSER:ident} %{HTTPDUSER:[user][name]}";
const RESPONSE = "%{INT:status:int} (?:%{INT:bytes:int}|-)";
const REFERRER_AGENT = '"%{DATA:referrer}" "%{DATA:[user_agent][original]}"';

/**
 * gunicorn with access_log_format = the default (combined) plus ` %(D)s`, the request time in
 * microseconds (docs/logging.md), so that duration_ms can be derived.
 */
const GUNICORN = `^${CLIENT} \\[%{HTTPDATE:timestamp}\\] "%{PORT8000_REQUEST}" ${RESPONSE} ${REFERRER_AGENT} %{INT:duration_us:int}$`;

/** Nginx `combined`, optionally followed by `$request_time` (seconds, millisecond precision). */
const NGINX = `^${CLIENT} \\[%{HTTPDATE:timestamp}\\] "%{PORT8000_REQUEST}" ${RESPONSE} ${REFERRER_AGENT}(?: %{NUMBER:request_time_s:float})?$`;

/** Werkzeug's request line, bare or behind Python logging's `LEVEL:werkzeug:` prefix. */
const WERKZEUG = `^(?:%{LOGLEVEL:level}:werkzeug:)?%{IPORHOST:[client][ip]} - - \\[%{WERKZEUG_TIME:timestamp}\\] "%{PORT8000_REQUEST}" ${RESPONSE}$`;

export const GROK_PATTERNS: Readonly<Partial<Record<LogKind, string>>> = {
  "gunicorn-access": GUNICORN,
  "nginx-access": NGINX,
  werkzeug: WERKZEUG,
};

/** Joda formats the date filter tries, in order: access logs, Werkzeug, JSON events. */
export const DATE_FORMATS = ["dd/MMM/yyyy:HH:mm:ss Z", "dd/MMM/yyyy HH:mm:ss", "ISO8601"] as const;

/** Fields a bot event (JSON line) may carry; the index template maps them. */
export const BOT_EVENT_FIELDS = [
  "timestamp",
  "event",
  "bot",
  "level",
  "message",
  "task_id",
  "client_id",
  "worker",
] as const;
