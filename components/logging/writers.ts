import type { ArchiveWriter } from "../archive/access";
import type { StackConfig } from "../config/schema";
import { snapshotsReadOnly } from "../opensearch/documents";
import { SNAPSHOT_SERVICE_ACCOUNT } from "../opensearch/pods";
import { ArchivePrefix, LOGSTASH } from "./names";

/**
 * Logstash appends events and dead letters under logs/; OpenSearch owns snapshots/, or only
 * reads it where the bucket is prod's replica (the dr stack restores, it never writes there).
 */
export function archiveWriters(
  config: StackConfig,
): Record<"logstash" | "snapshots", ArchiveWriter> {
  const namespace = config.logging.namespace;
  return {
    logstash: {
      namespace,
      serviceAccount: LOGSTASH,
      grant: { prefix: ArchivePrefix.events, access: "append" },
    },
    snapshots: {
      namespace,
      serviceAccount: SNAPSHOT_SERVICE_ACCOUNT,
      grant: {
        prefix: ArchivePrefix.snapshots,
        access: snapshotsReadOnly(config) ? "read" : "manage",
      },
    },
  };
}
