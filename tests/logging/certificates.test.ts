import { ClusterSecrets } from "../../components/opensearch/cluster";
import { DASHBOARDS_URL } from "../../components/opensearch/policy-job";
import type { ProgramRun, RecordedResource } from "../../scripts/mock-runtime";
import { named, ofType, runStack } from "../support/program";

/**
 * Certificates renew before they expire. @pulumi/tls's certificates are replaced by the first
 * `pulumi up` after their `earlyRenewalHours` window opens (`readyForRenewal`); one the operator
 * generates is not: opensearch-operator 3.0.0-alpha writes Dashboards' certificate once, when
 * its Secret is missing, valid 365 days, and never looks at it again (dashboards.go handleTls).
 */

const LEAF = "tls:index/locallySignedCert:LocallySignedCert";
const SELF_SIGNED = "tls:index/selfSignedCert:SelfSignedCert";
const CSR = "tls:index/certRequest:CertRequest";

let run: ProgramRun;
beforeAll(async () => {
  run = await runStack("prod");
}, 120_000);

interface DashboardsSpec {
  tls: { enable?: boolean; generate?: boolean; secret?: { name: string } };
  annotations?: Record<string, string>;
}
const dashboardsSpec = () =>
  (
    ofType(run, "kubernetes:opensearch.org/v1:OpenSearchCluster")[0].inputs as {
      spec: { dashboards: DashboardsSpec };
    }
  ).spec.dashboards;

/** The program's certificate a Secret's data is made from (by Pulumi's dependency record). */
function certificateOf(secret: RecordedResource): RecordedResource {
  const refs = (secret.propertyDependencies.stringData ?? []).filter((r) =>
    r.startsWith(`${LEAF}::`),
  );
  expect(refs).toHaveLength(1);
  return named(run, refs[0].slice(LEAF.length + 2));
}
const secretNamed = (name: string) => {
  const found = ofType(run, "kubernetes:core/v1:Secret").find(
    (s) => (s.inputs.metadata as { name: string }).name === name,
  );
  if (!found) throw new Error(`no Secret ${name}`);
  return found;
};

describe("certificates are renewed before they expire", () => {
  it.each([LEAF, SELF_SIGNED])("every %s renews within its validity", (type) => {
    const certs = ofType(run, type);
    expect(certs.length).toBeGreaterThan(0);
    for (const cert of certs) {
      const { validityPeriodHours, earlyRenewalHours } = cert.inputs as Record<string, number>;
      expect([cert.name, earlyRenewalHours > 0]).toEqual([cert.name, true]);
      expect(earlyRenewalHours).toBeLessThan(validityPeriodHours);
    }
  });

  it("Dashboards serves a certificate of the program's, not one the operator generates once", () => {
    const { tls } = dashboardsSpec();
    expect(tls).toMatchObject({ enable: true });
    expect(tls.generate).not.toBe(true);
    const cert = certificateOf(secretNamed(tls.secret?.name ?? "(no secret)"));
    expect(cert.inputs.earlyRenewalHours).toBeGreaterThan(0);
  });

  it("that certificate is signed by the CA the operator signs OpenSearch's with, which clients trust", () => {
    const cert = certificateOf(secretNamed(dashboardsSpec().tls.secret?.name ?? "(no secret)"));
    const caKey = cert.propertyDependencies.caPrivateKeyPem ?? [];
    expect(caKey).toHaveLength(1);
    expect(secretNamed(ClusterSecrets.httpCa).propertyDependencies.stringData).toContain(caKey[0]);
  });

  it("that certificate names the host the policy Job and people's clients reach", () => {
    const cert = certificateOf(secretNamed(dashboardsSpec().tls.secret?.name ?? "(no secret)"));
    // The request is the certificate's sibling: `<name>-csr` beside `<name>-cert`.
    const csr = named(run, cert.name.replace(/-cert$/, "-csr"));
    expect(csr.type).toBe(CSR);
    expect(csr.inputs.dnsNames).toContain(new URL(DASHBOARDS_URL).hostname);
  });

  it("a renewed certificate rolls Dashboards, which reads it only at start", () => {
    const annotations = dashboardsSpec().annotations ?? {};
    expect(Object.values(annotations).some((v) => /^[0-9a-f]{64}$/.test(v))).toBe(true);
  });
});
