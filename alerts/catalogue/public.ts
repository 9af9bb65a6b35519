import { AlertName } from "../../lib/alert-names";
import { Job } from "../../lib/conventions";
import { selector } from "../format";
import { levelsOf } from "../levels";
import { APP_LOGS } from "../log-queries";
import type { AlertDefinition, RuleContext } from "../model";

/**
 * The public HTTPS endpoint users reach (service.publicUrl), probed through the blackbox
 * exporter as job "port8000-public": reachable from outside the Service, and a certificate that
 * is not about to expire (guide 4.4: certificate status). Rendered only when publicUrl is set.
 */

const PUBLIC = selector(Job.publicEndpoint);
const DAY_SECONDS = 86_400;
const EDGE_LOGS = `${APP_LOGS} and (tls or certificate or nginx)`;

function certificateExpiry(ctx: RuleContext): AlertDefinition {
  return {
    name: AlertName.Port8000CertificateExpiry,
    runbook: "availability",
    dashboard: "serviceOverview",
    summary: "The certificate of {{ $labels.instance }} expires in {{ $value | humanize }} days",
    description:
      "probe_ssl_earliest_cert_expiry of {{ $labels.instance }} is {{ $value | humanize }} days away (threshold %THRESHOLD%). When it passes, browsers and WebSocket clients refuse the UI. Renew or fix the certificate's automatic renewal.",
    logQuery: EDGE_LOGS,
    levels: levelsOf(
      ctx,
      ctx.t.certificateExpiryDays,
      (v) => `(probe_ssl_earliest_cert_expiry${PUBLIC} - time()) / ${DAY_SECONDS} < ${v}`,
      (v) => `${v} days`,
    ),
  };
}

/** In-cluster /health may pass while the ingress, DNS or TLS in front of it fails. */
function publicDown(ctx: RuleContext): AlertDefinition {
  return {
    name: AlertName.Port8000PublicEndpointDown,
    runbook: "availability",
    dashboard: "serviceOverview",
    summary: "The public endpoint {{ $labels.instance }} fails from the blackbox probe",
    description:
      "probe_success of {{ $labels.instance }} has been 0: users cannot reach Port 8000 through its public address (DNS, ingress, TLS or the app behind it).",
    logQuery: EDGE_LOGS,
    levels: levelsOf(
      ctx,
      ctx.t.healthProbe,
      (v) => `probe_success${PUBLIC} < ${v}`,
      () => "probe fails",
    ),
  };
}

export function publicEndpointAlerts(ctx: RuleContext): AlertDefinition[] {
  return ctx.config.service.publicUrl ? [publicDown(ctx), certificateExpiry(ctx)] : [];
}
