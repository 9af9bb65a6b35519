import * as pagerduty from "@pulumi/pagerduty";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { EVENTS_V2_INTEGRATION, type PagerDutyPlan, pagerdutyPlan, type TargetPlan } from "./plan";

export { EVENTS_V2_INTEGRATION, pagerdutyPlan } from "./plan";

export interface PagerDutyEscalationArgs {
  readonly config: StackConfig;
}

/**
 * PagerDuty as `escalation` describes it: schedules, escalation policies, one service per
 * paging receiver with an Events API v2 integration. The integrations' keys are Alertmanager's
 * routing keys: nobody copies them by hand, and they stay Pulumi secrets.
 */
export class PagerDutyEscalation extends pulumi.ComponentResource {
  /** Events API v2 routing keys (secret): of the on-call service and of the infra lead's. */
  readonly routingKeys: {
    readonly critical: pulumi.Output<string>;
    readonly infraLead: pulumi.Output<string>;
  };
  readonly serviceIds: Record<"critical" | "infraLead", pulumi.Output<string>>;

  constructor(name: string, args: PagerDutyEscalationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("port8000:pagerduty:Escalation", name, {}, opts);
    const { escalation, service } = args.config;
    // The config rules require it for every deployed stack; this only narrows the type.
    if (!escalation) throw new pulumi.RunError("escalation: required to provision PagerDuty");
    // One PagerDuty account serves both stacks, and it wants unique names.
    const environment = args.config.deployment.environment;
    const prefix = environment === "production" ? service.name : `${service.name}-${environment}`;
    const plan = pagerdutyPlan(escalation, prefix);
    const child = { parent: this };
    const userIds = this.lookUpUsers(plan);
    const scheduleIds = new Map(
      plan.schedules.map((s) => {
        const schedule = new pagerduty.Schedule(
          `${name}-schedule-${s.id}`,
          {
            name: s.name,
            timeZone: s.timeZone,
            layers: [
              {
                name: "rotation",
                start: s.start,
                rotationVirtualStart: s.start,
                rotationTurnLengthSeconds: s.turnSeconds,
                users: s.users.map((email) => userIds(email)),
              },
            ],
          },
          child,
        );
        return [s.id, schedule.id] as const;
      }),
    );
    const target = (t: TargetPlan) =>
      t.kind === "schedule"
        ? { type: "schedule_reference", id: scheduleIds.get(t.team) as pulumi.Output<string> }
        : { type: "user_reference", id: userIds(t.email) };
    const policyIds = Object.fromEntries(
      plan.policies.map((p) => [
        p.id,
        new pagerduty.EscalationPolicy(
          `${name}-policy-${p.id}`,
          {
            name: p.name,
            numLoops: p.loops,
            rules: p.rules.map((r) => ({
              escalationDelayInMinutes: r.delayMinutes,
              targets: r.targets.map(target),
            })),
          },
          child,
        ).id,
      ]),
    ) as Record<"critical" | "infraLead", pulumi.Output<string>>;
    const keys = {} as Record<"critical" | "infraLead", pulumi.Output<string>>;
    const serviceIds = {} as Record<"critical" | "infraLead", pulumi.Output<string>>;
    for (const s of plan.services) {
      const svc = new pagerduty.Service(
        `${name}-service-${s.id}`,
        {
          name: s.name,
          description: s.description,
          escalationPolicy: policyIds[s.id],
          // Events API v2 integrations need alerts that create incidents.
          alertCreation: "create_alerts_and_incidents",
          // Alertmanager resolves what it sent; PagerDuty must not time it out by itself.
          autoResolveTimeout: "null",
          acknowledgementTimeout: "null",
        },
        child,
      );
      const integration = new pagerduty.ServiceIntegration(
        `${name}-integration-${s.id}`,
        { name: `Alertmanager (${s.receiver})`, service: svc.id, type: EVENTS_V2_INTEGRATION },
        { parent: this, additionalSecretOutputs: ["integrationKey"] },
      );
      keys[s.id] = pulumi.secret(integration.integrationKey);
      serviceIds[s.id] = svc.id;
    }
    this.routingKeys = keys;
    this.serviceIds = serviceIds;
    this.registerOutputs({ serviceIds });
  }

  /** Users come from SSO; each is looked up once by e-mail and must exist in PagerDuty. */
  private lookUpUsers(plan: PagerDutyPlan): (email: string) => pulumi.Output<string> {
    const ids = new Map(
      plan.users.map((email) => [
        email,
        pulumi.output(pagerduty.getUser({ email }, { parent: this })).id,
      ]),
    );
    return (email) => ids.get(email) as pulumi.Output<string>;
  }
}
