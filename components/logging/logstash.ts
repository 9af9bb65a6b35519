import { LogField, PipelineField, logstashRef as ref } from "../../lib/log-fields";
import { toSortedYaml } from "../../lib/serialize";
import type { StackConfig } from "../config/schema";
import { DATE_FORMATS, GROK_PATTERNS, PATTERN_DEFINITIONS } from "./grok";
import {
  ArchivePrefix,
  BEATS_PORT,
  LOG_INDEX_NAME,
  LOGSTASH_API_PORT,
  LogstashPath,
  opensearchUrl,
  TlsFile,
} from "./names";
import { releaseFilter } from "./release";

/** Logstash settings and pipelines (guide 1.2): beats over mutual TLS in, OpenSearch and S3 out. */

export const PIPELINE_ID = "port8000";
export const DEAD_LETTER_PIPELINE_ID = "dead-letter";
/** Environment variables the pod sets from Secrets and config; Logstash expands ${VAR}. */
export const LogstashEnv = {
  user: "OPENSEARCH_USER",
  password: "OPENSEARCH_PASSWORD",
  bucket: "ARCHIVE_BUCKET",
  region: "ARCHIVE_REGION",
} as const;

export function logstashSettings(config: StackConfig) {
  const { queueMaxBytes, deadLetterMaxBytes } = config.logging.logstash;
  return {
    "api.http.host": "0.0.0.0",
    "api.http.port": LOGSTASH_API_PORT,
    "path.data": LogstashPath.data,
    "queue.type": "persisted",
    "queue.max_bytes": queueMaxBytes,
    // The beats input acknowledges an event once it is written to the queue; checkpointing
    // every write makes that write survive a crash. It costs throughput (Logstash docs), which
    // this log volume affords.
    "queue.checkpoint.writes": 1,
    "dead_letter_queue.enable": true,
    "dead_letter_queue.max_bytes": deadLetterMaxBytes,
    "dead_letter_queue.storage_policy": "drop_older",
    "pipeline.ecs_compatibility": "disabled",
    // The pipeline's strings carry regular expressions: \\ and \" must mean \ and ".
    "config.support_escapes": true,
  };
}

export function logstashPipelines() {
  return [
    { "pipeline.id": PIPELINE_ID, "path.config": `${LogstashPath.pipeline}/${PIPELINE_ID}.conf` },
    {
      "pipeline.id": DEAD_LETTER_PIPELINE_ID,
      "path.config": `${LogstashPath.pipeline}/${DEAD_LETTER_PIPELINE_ID}.conf`,
    },
  ];
}

const quote = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
const list = (items: readonly string[]) => `[${items.map(quote).join(", ")}]`;

function block(name: string, body: string[]): string[] {
  return [`${name} {`, ...body.map((l) => `  ${l}`), "}"];
}

function beatsInput(): string[] {
  // logstash-input-beats 6.6.3 (Logstash 8.9.0) names: ssl and ssl_verify_mode are deprecated.
  return block("beats", [
    `port => ${BEATS_PORT}`,
    "ssl_enabled => true",
    `ssl_certificate => ${quote(`${LogstashPath.certs}/${TlsFile.cert}`)}`,
    `ssl_key => ${quote(`${LogstashPath.certs}/${TlsFile.key}`)}`,
    `ssl_certificate_authorities => ${list([`${LogstashPath.certs}/${TlsFile.ca}`])}`,
    'ssl_client_authentication => "required"',
  ]);
}

const KIND = ref(LogField.logKind);

function grokFilter(kind: string, pattern: string): string[] {
  const definitions = Object.entries(PATTERN_DEFINITIONS).map(
    ([name, value]) => `${quote(name)} => ${quote(value)}`,
  );
  return [
    `if ${KIND} == ${quote(kind)} {`,
    ...block("grok", [
      `match => { "${LogField.message}" => ${quote(pattern)} }`,
      "pattern_definitions => {",
      ...definitions.map((d) => `  ${d}`),
      "}",
      `tag_on_failure => ["_grokparsefailure", "_${kind}_unparsed"]`,
    ]),
    "}",
  ];
}

const TIME = PipelineField.lineTime;

/** duration_ms from a request time in another unit, which is then dropped. */
function toMilliseconds(field: string, scale: string): string[] {
  return [
    `if ${ref(field)} {`,
    ...block("ruby", [
      `code => "event.set('${LogField.durationMs}', event.get('${field}') ${scale}); event.remove('${field}')"`,
    ]),
    "}",
  ];
}

function filters(): string[] {
  const groks = Object.entries(GROK_PATTERNS).flatMap(([kind, pattern]) =>
    grokFilter(kind, pattern as string),
  );
  return [
    ...groks,
    // The journald input adds event.kind and event.created, an object where `event` is the bot
    // events' name (a keyword the alerts' log links search): keep the read time, drop the rest.
    `if ${KIND} == "journald" {`,
    ...block("mutate", [
      `rename => { "${ref(PipelineField.journalCreated)}" => "${LogField.readAt}" }`,
      `remove_field => ["${ref(LogField.event)}"]`,
    ]),
    "}",
    `if ${KIND} == "json" {`,
    ...block("json", [
      `source => "${LogField.message}"`,
      'tag_on_failure => ["_jsonparsefailure"]',
    ]),
    "}",
    `if ${ref(TIME)} {`,
    ...block("date", [
      `match => ["${TIME}", ${DATE_FORMATS.map(quote).join(", ")}]`,
      `target => "${LogField.timestamp}"`,
      `remove_field => ["${TIME}"]`,
    ]),
    "}",
    // The alerts' log links filter on `status >= 500` and `duration_ms >= 500`: numbers.
    ...block("mutate", [`convert => { "${LogField.status}" => "integer" }`]),
    ...toMilliseconds(PipelineField.durationUs, "/ 1000.0"),
    ...toMilliseconds(PipelineField.requestTimeS, "* 1000.0"),
    `if !${ref(LogField.release)} and ${ref(PipelineField.podVersion)} {`,
    ...block("mutate", [`copy => { "${ref(PipelineField.podVersion)}" => "${LogField.release}" }`]),
    "}",
    ...releaseFilter(),
  ];
}

function archiveOutput(config: StackConfig, prefix: string, buffer: string): string[] {
  return block("s3", [
    `bucket => "\${${LogstashEnv.bucket}}"`,
    `region => "\${${LogstashEnv.region}}"`,
    `prefix => ${quote(`${prefix}%{+YYYY}/%{+MM}/%{+dd}/`)}`,
    'codec => "json_lines"',
    'encoding => "gzip"',
    'rotation_strategy => "size_and_time"',
    `time_file => ${config.logging.logstash.archiveFlushMinutes}`,
    "size_file => 104857600",
    // The writer role may only put under its prefix; the root-bucket probe would be denied.
    "validate_credentials_on_root_bucket => false",
    // No SSE option: the put carries no encryption header and gets the bucket's default
    // SSE-KMS key; the bucket policy refuses only a header naming other encryption.
    `temporary_directory => ${quote(`${LogstashPath.data}/s3-${buffer}`)}`,
  ]);
}

function opensearchOutput(config: StackConfig): string[] {
  return block("opensearch", [
    `hosts => ${list([opensearchUrl(config)])}`,
    `index => ${quote(LOG_INDEX_NAME)}`,
    `user => "\${${LogstashEnv.user}}"`,
    `password => "\${${LogstashEnv.password}}"`,
    "ssl => true",
    `cacert => ${quote(`${LogstashPath.certs}/opensearch-ca.crt`)}`,
    // The index template (not Logstash) owns the mapping.
    "manage_template => false",
  ]);
}

export function logstashPipeline(config: StackConfig): string {
  return [
    "# Generated by port8000-monitoring (npm run synth). Do not edit: change the config or the renderer.",
    ...block("input", beatsInput()),
    ...block("filter", filters()),
    ...block("output", [
      ...opensearchOutput(config),
      ...archiveOutput(config, ArchivePrefix.events, "events"),
    ]),
    "",
  ].join("\n");
}

/** Events OpenSearch refused (mapping conflicts) go to the archive rather than being lost. */
export function deadLetterPipeline(config: StackConfig): string {
  return [
    "# Generated by port8000-monitoring (npm run synth). Do not edit: change the config or the renderer.",
    ...block(
      "input",
      block("dead_letter_queue", [
        `path => ${quote(`${LogstashPath.data}/dead_letter_queue`)}`,
        `pipeline_id => ${quote(PIPELINE_ID)}`,
        "commit_offsets => true",
      ]),
    ),
    // Why OpenSearch refused the event, which json_lines would leave behind with @metadata.
    ...block(
      "filter",
      block("mutate", [
        `copy => { "[@metadata][dead_letter_queue][reason]" => "${PipelineField.deadLetterReason}" }`,
      ]),
    ),
    ...block("output", archiveOutput(config, ArchivePrefix.deadLetter, "dead-letter")),
    "",
  ].join("\n");
}

export const logstashSettingsYaml = (config: StackConfig) => toSortedYaml(logstashSettings(config));
export const logstashPipelinesYaml = () => toSortedYaml(logstashPipelines());
