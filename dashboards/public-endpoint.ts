import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { AlertName } from "../lib/alert-names";
import { Job } from "../lib/conventions";
import {
  type DashboardContext,
  query,
  runbookLink,
  stateTimelinePanel,
  thresholds,
  timeseriesPanel,
} from "./common";

/**
 * The public HTTPS endpoint users reach, as the blackbox exporter probes it (service.publicUrl):
 * reachable, and days left on its certificate (guide 4.4). Only when publicUrl is set, as its
 * alerts are.
 */

const PUBLIC = `job="${Job.publicEndpoint}"`;
const DAY_SECONDS = 86_400;
const IGNORES = "Ignores the instance variable: the probe goes through the public address.";

export function publicEndpointRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const url = ctx.config.service.publicUrl;
  if (!url) return;
  const links = [runbookLink(ctx, "availability", "availability")];
  b.withRow(new dashboard.RowBuilder("Public endpoint"))
    .withPanel(
      stateTimelinePanel({
        title: "Public endpoint probe",
        description: `Whether the blackbox probe of ${url} succeeds (probe_success: 1 up, 0 down); ${AlertName.Port8000PublicEndpointDown} pages while it fails. ${IGNORES}`,
        queries: [query(`min by (instance) (probe_success{${PUBLIC}})`, "{{instance}}")],
        states: [
          { value: 0, text: "down", color: "red" },
          { value: 1, text: "up", color: "green" },
        ],
        links,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Certificate days left",
        description: `Days until the earliest certificate of ${url}'s chain expires (probe_ssl_earliest_cert_expiry); the lines are the ${AlertName.Port8000CertificateExpiry} thresholds. ${IGNORES}`,
        unit: "d",
        queries: [
          query(
            `min by (instance) (probe_ssl_earliest_cert_expiry{${PUBLIC}} - time()) / ${DAY_SECONDS}`,
            "{{instance}}",
          ),
        ],
        thresholds: thresholds(ctx.config.thresholds.certificateExpiryDays, "below"),
        links,
        width: 12,
        min: 0,
      }),
    );
}
