import type * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

/**
 * A CA certificate the program keeps (its key is a Pulumi secret in the state): five years,
 * re-issued by `pulumi up` in its last 90 days. The log pipeline and the OpenSearch HTTP layer
 * each have one.
 */
export function programCa(
  name: string,
  privateKeyPem: pulumi.Input<string>,
  commonName: string,
  opts: pulumi.CustomResourceOptions,
): tls.SelfSignedCert {
  return new tls.SelfSignedCert(
    name,
    {
      privateKeyPem,
      isCaCertificate: true,
      validityPeriodHours: 5 * 365 * 24,
      earlyRenewalHours: 90 * 24,
      allowedUses: ["cert_signing", "crl_signing"],
      subject: { commonName, organization: "DEIA" },
    },
    opts,
  );
}
