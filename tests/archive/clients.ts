import { SNAPSHOT_SERVICE_ACCOUNT } from "../../components/opensearch/pods";
import { OPS_SERVICE_ACCOUNT, REPORTS_PREFIX } from "../../components/ops-schedule/workload";
import { PROMETHEUS_SERVICE_ACCOUNT } from "../../components/prometheus-backup/policy";

/**
 * What each archive client sends to S3 at the version the stack runs, read from its source:
 *
 * - Logstash 8.9.0's s3 output (logstash-integration-aws 7.1.4, vendor/logstash-plugins/
 *   output-s3-7.1.4.rb `upload_options`): `Aws::S3::Object#upload_file` with acl "private",
 *   storage_class "STANDARD" and, `server_side_encryption` being off, no SSE header. Above
 *   upload_multipart_threshold (15 MB) the SDK makes CreateMultipartUpload with those headers,
 *   UploadPart and CompleteMultipartUpload with none, AbortMultipartUpload on failure. It never
 *   reads or lists (validate_credentials_on_root_bucket => false).
 * - OpenSearch 2.19 repository-s3: PutObject/CreateMultipartUpload with its canned_acl
 *   ("private") and storage_class ("standard") and AES256 only if `server_side_encryption` is
 *   true (2.19 has no SSE-KMS setting); lists, reads, deletes its files under base_path.
 * - The Thanos sidecar (v0.42.4, objstore 71d60dfee488 on minio-go 7.0.93): with no sse_config
 *   `getServerSideEncryption` is nil, so PutObject (multipart above 64 MiB) carries no SSE
 *   header; the shipper lists its prefix and checks `<ulid>/meta.json` with a HEAD (GetObject).
 *
 * - The monthly checklist (ops/s3.ts): a SigV4 PutObject per file with no SSE header.
 *
 * Every S3 call reaches KMS through S3 with the bucket ARN as encryption context (bucket keys).
 */

export interface ClientRequest {
  readonly what: string;
  readonly action: string;
  /** Object key; absent: a bucket-level request. */
  readonly key?: string;
  readonly context?: Record<string, string>;
}

export interface ArchiveClient {
  readonly label: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly prefix: (environment: string) => string;
  readonly requests: (prefix: string) => ClientRequest[];
  /** Requests it must never be allowed (beyond every other prefix). */
  readonly refused: (prefix: string) => ClientRequest[];
  /** Puts with its real headers, to try again with wrong ones. */
  readonly put: (prefix: string) => ClientRequest;
}

const CANNED = { "s3:x-amz-acl": "private", "s3:x-amz-storage-class": "STANDARD" };
const list = (prefix: string): ClientRequest => ({
  what: "lists its prefix",
  action: "s3:ListBucket",
  context: { "s3:prefix": prefix },
});
const multipart = (key: string): ClientRequest[] => [
  { what: "uploads a part (no headers)", action: "s3:PutObject", key },
  { what: "aborts a failed upload", action: "s3:AbortMultipartUpload", key },
];

const logstashPut = (prefix: string): ClientRequest => ({
  what: "puts an event file",
  action: "s3:PutObject",
  key: `${prefix}2026/12/06/ls.s3.5c1d8e2a-7b9f-4c3d-6e0a-1b2c3d4e5f60.2026-12-06T10.00.part0.txt.gz`,
  context: CANNED,
});

export const logstash: ArchiveClient = {
  label: "Logstash's s3 output",
  namespace: "logging",
  serviceAccount: "logstash",
  prefix: () => "logs/",
  put: logstashPut,
  requests: (prefix) => [
    logstashPut(prefix),
    {
      what: "puts a dead letter file",
      action: "s3:PutObject",
      key: `${prefix}dead-letter/2026/12/06/ls.s3.a.part0.txt.gz`,
      context: CANNED,
    },
    ...multipart(logstashPut(prefix).key as string),
  ],
  refused: (prefix) => [
    { what: "reads", action: "s3:GetObject", key: `${prefix}2026/12/06/x.txt.gz` },
    { what: "deletes", action: "s3:DeleteObject", key: `${prefix}2026/12/06/x.txt.gz` },
    list(prefix),
  ],
};

const snapshotPut = (prefix: string): ClientRequest => ({
  what: "puts a snapshot file",
  action: "s3:PutObject",
  key: `${prefix}indices/Xq7vAe0eTbC3/0/__9bYtYnQjR0yWm8Ne`,
  context: CANNED,
});

const snapshotReads = (prefix: string): ClientRequest[] => [
  list(prefix),
  { what: "reads index.latest", action: "s3:GetObject", key: `${prefix}index.latest` },
];

export const snapshots: ArchiveClient = {
  label: "OpenSearch's snapshot repository",
  namespace: "logging",
  serviceAccount: SNAPSHOT_SERVICE_ACCOUNT,
  prefix: () => "snapshots/",
  put: snapshotPut,
  requests: (prefix) => [
    ...snapshotReads(prefix),
    snapshotPut(prefix),
    ...multipart(snapshotPut(prefix).key as string),
    { what: "deletes an old file", action: "s3:DeleteObject", key: `${prefix}index-3` },
  ],
  refused: () => [],
};

/** The dr stack's repository is prod's, read-only: it reads and never writes or deletes. */
export const restoringSnapshots: ArchiveClient = {
  ...snapshots,
  label: "OpenSearch's read-only snapshot repository",
  requests: snapshotReads,
  refused: (prefix) => [
    snapshotPut(prefix),
    { what: "deletes a file", action: "s3:DeleteObject", key: `${prefix}index-3` },
  ],
};

const blockPut = (prefix: string): ClientRequest => ({
  what: "puts a block chunk",
  action: "s3:PutObject",
  key: `${prefix}01JEKQ8Z0000000000000000AA/chunks/000001`,
});

export const thanosSidecar: ArchiveClient = {
  label: "the Thanos sidecar",
  namespace: "monitoring",
  serviceAccount: PROMETHEUS_SERVICE_ACCOUNT,
  prefix: (environment) => `prometheus/${environment}/`,
  put: blockPut,
  requests: (prefix) => [
    list(prefix),
    {
      what: "checks meta.json exists",
      action: "s3:GetObject",
      key: `${prefix}01JEKQ8Z0000000000000000AA/meta.json`,
    },
    blockPut(prefix),
    ...multipart(blockPut(prefix).key as string),
  ],
  refused: (prefix) => [
    {
      what: "deletes",
      action: "s3:DeleteObject",
      key: `${prefix}01JEKQ8Z0000000000000000AA/meta.json`,
    },
  ],
};

const reportPut = (prefix: string): ClientRequest => ({
  what: "puts the monthly report",
  action: "s3:PutObject",
  key: `${prefix}2026-12/report.md`,
});

/** The monthly checklist (ops/s3.ts): one signed PutObject per file, no SSE header, no reads. */
export const monthlyReports: ArchiveClient = {
  label: "the monthly checklist's report upload",
  namespace: "monitoring",
  serviceAccount: OPS_SERVICE_ACCOUNT,
  prefix: () => REPORTS_PREFIX,
  put: reportPut,
  requests: (prefix) => [
    reportPut(prefix),
    { ...reportPut(prefix), key: `${prefix}2026-12/p95.svg` },
  ],
  refused: (prefix) => [
    { what: "reads", action: "s3:GetObject", key: `${prefix}2026-11/report.md` },
    { what: "deletes", action: "s3:DeleteObject", key: `${prefix}2026-11/report.md` },
    list(prefix),
  ],
};
