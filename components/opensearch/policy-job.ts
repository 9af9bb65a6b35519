import { filesChecksum } from "../../lib/checksum";
import { LOG_INDEX_PATTERN } from "../../lib/conventions";
import { RESTRICTED_CONTAINER, restrictedPod } from "../../lib/security-context";
import { toSortedJson } from "../../lib/serialize";
import type { StackConfig } from "../config/schema";
import { ISM_POLICY_ID, LOG_TENANT, OPENSEARCH_CLUSTER, opensearchUrl } from "../logging/names";
import { labelsOf, Secrets } from "../logging/workloads";
import { ClusterSecrets } from "./cluster";
import { ismPolicy } from "./documents";

/**
 * The ISM policy goes through the ISM REST API from a Job the program owns: the operator's
 * OpenSearchISMPolicy types the `allocation` action's `require` as a string where the API
 * wants an object (operator issues 812, 829, 876), so hot → warm allocation cannot be declared
 * there. The same Job saves the Dashboards index pattern port8000-*.
 */

export const POLICY_JOB = "port8000-log-policies";
const POLICY_DIR = "/policies";
const CA_DIR = "/certs";
export const DASHBOARDS_URL = `https://${OPENSEARCH_CLUSTER}-dashboards:5601`;

/**
 * POSIX sh for curl's image. It waits (every error retried) until OpenSearch and Dashboards
 * answer, then fails fast: a 404 means "no policy yet", not "try again". The policy is created,
 * or updated with its seq_no/primary_term. Its ism_template reaches only indices created later,
 * and a managed index keeps the policy version it started with, so the existing port8000-*
 * indices are then added to the policy (those already managed refuse, as expected) and moved to
 * its new version with change_policy (a 404 means no such index yet). ISM applies the change
 * when the index finishes its current state. The index pattern goes to the global tenant.
 */
export const APPLY_SCRIPT = `set -eu
auth="$OPENSEARCH_USER:$OPENSEARCH_PASSWORD"
call() { curl -sS --cacert "$CA_FILE" -u "$auth" -H 'Content-Type: application/json' "$@"; }
wait_for() { call --fail --retry "$WAIT_TRIES" --retry-all-errors --retry-delay "$WAIT_SECONDS" -o /dev/null "$1"; }
wait_for "$OPENSEARCH_URL/_cluster/health"
policy="$OPENSEARCH_URL/_plugins/_ism/policies/$POLICY_ID"
answer=$(call -w '\\n%{http_code}' "$policy")
status=$(printf '%s' "$answer" | tail -n 1)
case "$status" in
  200)
    seq=$(printf '%s' "$answer" | sed -n 's/.*"_seq_no":\\([0-9]*\\).*/\\1/p')
    term=$(printf '%s' "$answer" | sed -n 's/.*"_primary_term":\\([0-9]*\\).*/\\1/p')
    call --fail-with-body -X PUT "$policy?if_seq_no=$seq&if_primary_term=$term" --data-binary @"$POLICY_DIR/ism-policy.json" ;;
  404)
    call --fail-with-body -X PUT "$policy" --data-binary @"$POLICY_DIR/ism-policy.json" ;;
  *)
    echo "GET $policy answered HTTP $status: $answer" >&2
    exit 1 ;;
esac
ism() {
  answer=$(call -w '\\n%{http_code}' -X POST "$OPENSEARCH_URL/_plugins/_ism/$1/$INDEX_PATTERN" --data-binary "{\\"policy_id\\":\\"$POLICY_ID\\"}")
  status=$(printf '%s' "$answer" | tail -n 1)
  body=$(printf '%s' "$answer" | sed '$d')
  case "$status" in
    200) ;;
    404) return 0 ;;
    *) echo "POST _plugins/_ism/$1 answered HTTP $status: $body" >&2; exit 1 ;;
  esac
  if [ "$1" = change_policy ] && printf '%s' "$body" | grep -q '"failures":true'; then
    echo "change_policy left indices on the old policy: $body" >&2
    exit 1
  fi
}
ism add
ism change_policy
wait_for "$DASHBOARDS_URL/api/status"
call --fail-with-body -X POST "$DASHBOARDS_URL/api/saved_objects/index-pattern/$INDEX_PATTERN?overwrite=true" -H 'osd-xsrf: true' -H "securitytenant: $TENANT" --data-binary @"$POLICY_DIR/index-pattern.json"
`;

export function indexPatternObject() {
  return { attributes: { title: LOG_INDEX_PATTERN, timeFieldName: "@timestamp" } };
}

export function policyFiles(config: StackConfig): Record<string, string> {
  return {
    "ism-policy.json": toSortedJson(ismPolicy(config)),
    "index-pattern.json": toSortedJson(indexPatternObject()),
  };
}

/** A new name per content: an edited policy runs a new Job (Job templates are immutable). */
export function policyJobName(config: StackConfig): string {
  return `${POLICY_JOB}-${filesChecksum(policyFiles(config)).slice(0, 10)}`;
}

export function policyJobSpec(config: StackConfig, curlImage: string) {
  const fromAdmin = (key: string) => ({ secretKeyRef: { name: ClusterSecrets.admin, key } });
  return {
    backoffLimit: 6,
    ttlSecondsAfterFinished: 7 * 86_400,
    template: {
      metadata: { labels: labelsOf(POLICY_JOB) },
      spec: {
        restartPolicy: "OnFailure",
        securityContext: restrictedPod({ user: 100 }),
        containers: [
          {
            name: "apply",
            image: curlImage,
            command: ["sh", "-c", APPLY_SCRIPT],
            env: [
              { name: "OPENSEARCH_URL", value: opensearchUrl(config) },
              { name: "DASHBOARDS_URL", value: DASHBOARDS_URL },
              { name: "POLICY_ID", value: ISM_POLICY_ID },
              { name: "INDEX_PATTERN", value: LOG_INDEX_PATTERN },
              { name: "TENANT", value: LOG_TENANT },
              { name: "CA_FILE", value: `${CA_DIR}/ca.crt` },
              { name: "POLICY_DIR", value: POLICY_DIR },
              // Up to 30 minutes for a new cluster to form and Dashboards to start.
              { name: "WAIT_TRIES", value: "180" },
              { name: "WAIT_SECONDS", value: "10" },
              { name: "OPENSEARCH_USER", valueFrom: fromAdmin("username") },
              { name: "OPENSEARCH_PASSWORD", valueFrom: fromAdmin("password") },
            ],
            securityContext: RESTRICTED_CONTAINER,
            resources: {
              requests: { cpu: "10m", memory: "16Mi" },
              limits: { cpu: "100m", memory: "64Mi" },
            },
            volumeMounts: [
              { name: "policies", mountPath: POLICY_DIR, readOnly: true },
              { name: "ca", mountPath: CA_DIR, readOnly: true },
            ],
          },
        ],
        volumes: [
          { name: "policies", configMap: { name: POLICY_JOB } },
          {
            name: "ca",
            secret: {
              secretName: Secrets.opensearchCa,
              items: [{ key: "ca.crt", path: "ca.crt" }],
            },
          },
        ],
      },
    },
  };
}
