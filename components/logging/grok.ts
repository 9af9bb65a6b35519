import { LogField, PipelineField, logstashRef as ref } from "../../lib/log-fields";
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
  PORT8000_REQUEST: `%{WORD:${ref(LogField.httpMethod)}} %{URIPATH:${ref(LogField.urlPath)}}(?:%{URIPARAM:${ref(LogField.urlQuery)}})? HTTP/%{NUMBER:${ref(LogField.httpVersion)}}`,
};

const CLIENT = `%{IPORHOST:${ref(LogField.clientIp)}} %{HTTPDUSER:${LogField.ident}} %{HTTPDUSER:${ref(LogField.userName)}}`;
const RESPONSE = `%{INT:${LogField.status}:int} (?:%{INT:${LogField.bytes}:int}|-)`;
const REFERRER_AGENT = `"%{DATA:${LogField.referrer}}" "%{DATA:${ref(LogField.userAgent)}}"`;
const TIME = PipelineField.lineTime;

/**
 * gunicorn with access_log_format = the default (combined) plus ` %(D)s`, the request time in
 * microseconds (docs/logging.md), so that duration_ms can be derived.
 */
const GUNICORN = `^${CLIENT} \\[%{HTTPDATE:${TIME}}\\] "%{PORT8000_REQUEST}" ${RESPONSE} ${REFERRER_AGENT} %{INT:${PipelineField.durationUs}:int}$`;

/** Nginx `combined`, optionally followed by `$request_time` (seconds, millisecond precision). */
const NGINX = `^${CLIENT} \\[%{HTTPDATE:${TIME}}\\] "%{PORT8000_REQUEST}" ${RESPONSE} ${REFERRER_AGENT}(?: %{NUMBER:${PipelineField.requestTimeS}:float})?$`;

/** Werkzeug's request line, bare or behind Python logging's `LEVEL:werkzeug:` prefix. */
const WERKZEUG = `^(?:%{LOGLEVEL:${LogField.level}}:werkzeug:)?%{IPORHOST:${ref(LogField.clientIp)}} - - \\[%{WERKZEUG_TIME:${TIME}}\\] "%{PORT8000_REQUEST}" ${RESPONSE}$`;

export const GROK_PATTERNS: Readonly<Partial<Record<LogKind, string>>> = {
  "gunicorn-access": GUNICORN,
  "nginx-access": NGINX,
  werkzeug: WERKZEUG,
};

/** Joda formats the date filter tries, in order: access logs, Werkzeug, JSON events. */
export const DATE_FORMATS = ["dd/MMM/yyyy:HH:mm:ss Z", "dd/MMM/yyyy HH:mm:ss", "ISO8601"] as const;

/** Fields a bot event (JSON line) may carry; the index template maps them. */
export const BOT_EVENT_FIELDS = [
  PipelineField.lineTime,
  LogField.event,
  LogField.bot,
  LogField.level,
  LogField.message,
  LogField.taskId,
  LogField.clientId,
  LogField.worker,
] as const;
