/**
 * The annotation webhooks' paths: the service routes them, the public Ingress publishes
 * PagerDuty's, the deploy step posts to the deploy one.
 */

export const DEPLOY_PATH = "/annotations/deploy";
export const PAGERDUTY_PATH = "/annotations/pagerduty";
