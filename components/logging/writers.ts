import type { StackConfig } from "../config/schema";
import { SNAPSHOT_SERVICE_ACCOUNT } from "./cluster-pods";
import { LOGSTASH } from "./names";

/** The service accounts that write to the archive (IRSA subjects of its writer roles). */
export function archiveWriters(config: StackConfig) {
  const namespace = config.logging.namespace;
  return {
    logstash: { namespace, serviceAccount: LOGSTASH },
    snapshots: { namespace, serviceAccount: SNAPSHOT_SERVICE_ACCOUNT },
  };
}
