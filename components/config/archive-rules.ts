import type { StackConfig } from "./schema";

/** Archive rules that span sections: a replica must survive the loss of this stack's region. */
export function archiveRules(config: StackConfig): string[] {
  const { replicateTo, existing, bucketName } = config.archive;
  if (!replicateTo) return [];
  if (existing) {
    return [
      `archive.replicateTo: the bucket ${bucketName} is used as it exists (archive.existing); its replication belongs to the stack that created it`,
    ];
  }
  const problems: string[] = [];
  if (replicateTo.region === config.deployment.region) {
    problems.push(
      `archive.replicateTo.region ("${replicateTo.region}"): must differ from deployment.region, or a regional outage takes the replica with the archive`,
    );
  }
  if (replicateTo.bucketName === bucketName) {
    problems.push(
      `archive.replicateTo.bucketName ("${bucketName}"): must differ from archive.bucketName`,
    );
  }
  return problems;
}
