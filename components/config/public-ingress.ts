import { z } from "zod";
import { dnsLabel, text } from "./primitives";

/**
 * The one path of the in-cluster automation service the internet must reach: PagerDuty's
 * incident webhooks (POST /annotations/pagerduty). An Ingress routes that exact path and
 * nothing else; the service's NetworkPolicy admits the ingress controller's pods, named here
 * by namespace and pod labels, to the webhook port.
 */

const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
    message: "expected a DNS host name (e.g. hooks.example.com)",
  });

const labelKey = z
  .string()
  .regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, {
    message: "expected a Kubernetes label key",
  });
const labelValue = z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, {
  message: "expected a Kubernetes label value",
});

export const publicIngressSchema = z.strictObject({
  /** IngressClass of the controller that serves the public host (spec.ingressClassName). */
  className: dnsLabel,
  host: hostname,
  /** kubernetes.io/tls Secret in the monitoring namespace: PagerDuty posts over HTTPS only. */
  tlsSecretName: text,
  /** The ingress controller's pods, admitted to the webhook port by the NetworkPolicy. */
  controller: z.strictObject({
    namespace: dnsLabel,
    pods: z
      .record(labelKey, labelValue)
      .refine((labels) => Object.keys(labels).length > 0, "needs at least one label"),
  }),
});
export type PublicIngress = z.output<typeof publicIngressSchema>;

interface PublicIngressInput {
  readonly deployment: { readonly environment: string };
  readonly alerting: {
    readonly automation: { readonly url?: string; readonly publicIngress?: PublicIngress };
  };
}

/** A deployed stack with the in-cluster service declares its public path; an external one has none. */
export function publicIngressProblems(config: PublicIngressInput): string[] {
  const { url, publicIngress } = config.alerting.automation;
  const environment = config.deployment.environment;
  if (url && publicIngress)
    return [
      "alerting.automation.publicIngress: only for the in-cluster automation service; alerting.automation.url points elsewhere",
    ];
  if (!url && !publicIngress && environment !== "local")
    return [
      `alerting.automation.publicIngress: required for a ${environment} stack; without it PagerDuty's incident webhooks never reach the automation service and no incident annotation is written`,
    ];
  return [];
}
