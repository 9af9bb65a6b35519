import { irsaTrustPolicy } from "../../lib/irsa";
import type { StackConfig } from "../config/schema";
import { RELEASE_NAME } from "../prometheus/values";

/**
 * IAM for the `sms-backup` receiver: Alertmanager's service account assumes a role (IRSA)
 * that may publish to the SMS topic, so no static AWS key exists anywhere.
 */

export const ALERTMANAGER_SERVICE_ACCOUNT = `${RELEASE_NAME}-alertmanager`;
export const ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";

export function snsTrustPolicy(config: StackConfig, oidcProviderArn: string) {
  return irsaTrustPolicy(oidcProviderArn, config.cluster.namespace, ALERTMANAGER_SERVICE_ACCOUNT);
}

/** SMS to a phone number has no topic ARN to scope to; AWS requires Resource "*" for it. */
export function snsPublishPolicy(config: StackConfig) {
  const { topicArn, phoneNumbers } = config.alerting.sns;
  const resources = [...(topicArn ? [topicArn] : []), ...(phoneNumbers.length > 0 ? ["*"] : [])];
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "PublishSmsBackup", Effect: "Allow", Action: "sns:Publish", Resource: resources },
    ],
  };
}
