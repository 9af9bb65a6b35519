import { toSortedJson } from "../../lib/serialize";
import type { StackConfig } from "../config/schema";
import { roleMappings, roles } from "../opensearch/access";
import {
  indexTemplate,
  ismPolicy,
  snapshotPolicy,
  snapshotsReadOnly,
} from "../opensearch/documents";
import { securityConfigYaml } from "../opensearch/sso";
import { stateExporterYaml } from "../opensearch/state-exporter";
import { jsonExporterYaml } from "./exporter";
import { filebeatYaml } from "./filebeat";
import { filebeatExporterYaml } from "./filebeat-exporter";
import {
  deadLetterPipeline,
  logstashPipeline,
  logstashPipelinesYaml,
  logstashSettingsYaml,
} from "./logstash";
import { LoggingArtifact } from "./names";

/** Every file of `logging/` (docs/architecture.md, rendered artifacts), rendered from the typed config. */
export function loggingArtifacts(config: StackConfig): Record<string, string> {
  return {
    [LoggingArtifact.filebeat]: filebeatYaml(config),
    [LoggingArtifact.logstashSettings]: logstashSettingsYaml(config),
    [LoggingArtifact.logstashPipelines]: logstashPipelinesYaml(),
    [LoggingArtifact.logstashPipeline]: logstashPipeline(config),
    [LoggingArtifact.logstashDeadLetter]: deadLetterPipeline(config),
    [LoggingArtifact.logstashExporter]: jsonExporterYaml(),
    [LoggingArtifact.filebeatExporter]: filebeatExporterYaml(),
    [LoggingArtifact.opensearchStateExporter]: stateExporterYaml(config),
    [LoggingArtifact.indexTemplate]: toSortedJson(indexTemplate(config)),
    [LoggingArtifact.ismPolicy]: toSortedJson(ismPolicy(config)),
    // A stack on the replica (dr) only reads prod's snapshots: it schedules none.
    ...(snapshotsReadOnly(config)
      ? {}
      : { [LoggingArtifact.snapshotPolicy]: toSortedJson(snapshotPolicy(config)) }),
    [LoggingArtifact.roles]: toSortedJson(roles()),
    [LoggingArtifact.roleMappings]: toSortedJson(roleMappings(config)),
    [LoggingArtifact.securityConfig]: securityConfigYaml(config),
  };
}
