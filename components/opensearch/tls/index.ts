import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { StackConfig } from "../../config";
import { LOGSTASH, logstashHost, TlsFile } from "../../logging/names";
import { FILEBEAT, labelsOf, Secrets } from "../../logging/workloads";

export interface PipelineCertificatesArgs {
  readonly config: StackConfig;
}

/**
 * Mutual TLS of Filebeat → Logstash from a CA this program keeps (@pulumi/tls): the keys are
 * Pulumi secrets, the certificates renew on `pulumi up` before they expire.
 */
export class PipelineCertificates extends pulumi.ComponentResource {
  readonly secrets: k8s.core.v1.Secret[];
  /** The CA and both certificates (public): a renewal changes it, and the pods roll. */
  readonly certificatesPem: pulumi.Output<string>;

  constructor(
    name: string,
    args: PipelineCertificatesArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("port8000:logging:PipelineCertificates", name, {}, opts);
    const { config } = args;
    const child = { parent: this };
    const meta = (secretName: string, app: string) => ({
      name: secretName,
      namespace: config.logging.namespace,
      labels: labelsOf(app),
    });
    const declared = this.declare(name, config, meta, child);
    this.secrets = declared.secrets;
    this.certificatesPem = declared.certificatesPem;
    this.registerOutputs({});
  }

  private declare(
    name: string,
    config: StackConfig,
    meta: (name: string, app: string) => object,
    child: pulumi.CustomResourceOptions,
  ): { secrets: k8s.core.v1.Secret[]; certificatesPem: pulumi.Output<string> } {
    const key = (role: string) =>
      new tls.PrivateKey(`${name}-${role}-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, child);
    const caKey = key("ca");
    const ca = programCa(`${name}-ca`, caKey.privateKeyPem, "port8000 log pipeline CA", child);
    const leaf = (role: string, commonName: string, dnsNames: string[], uses: string[]) =>
      leafCertificate(
        `${name}-${role}`,
        { caKeyPem: caKey.privateKeyPem, caCertPem: ca.certPem, commonName, dnsNames, uses },
        child,
      );
    const server = leaf(
      "logstash",
      logstashHost(config),
      [logstashHost(config), LOGSTASH],
      ["server_auth"],
    );
    const client = leaf("filebeat", FILEBEAT, [], ["client_auth"]);
    const secret = (role: string, secretName: string, app: string, pair: typeof server) =>
      new k8s.core.v1.Secret(
        `${name}-${role}-tls`,
        {
          metadata: meta(secretName, app),
          stringData: {
            [TlsFile.ca]: ca.certPem,
            [TlsFile.cert]: pair.cert,
            [TlsFile.key]: pair.key,
          },
        },
        child,
      );
    return {
      secrets: [
        secret("logstash", Secrets.logstashTls, LOGSTASH, server),
        secret("filebeat", Secrets.filebeatTls, FILEBEAT, client),
      ],
      certificatesPem: pulumi.all([ca.certPem, server.cert, client.cert]).apply((p) => p.join("")),
    };
  }
}

/** Leaf certificates live one year and are re-issued by `pulumi up` in their last 30 days. */
export const LEAF_VALIDITY_HOURS = 365 * 24;
export const LEAF_EARLY_RENEWAL_HOURS = 30 * 24;

export interface LeafCertificateArgs {
  readonly caKeyPem: pulumi.Input<string>;
  readonly caCertPem: pulumi.Input<string>;
  readonly commonName: string;
  readonly dnsNames: string[];
  /** Extended uses beyond signing and key encipherment: server_auth, client_auth. */
  readonly uses: string[];
}

/**
 * A key (ECDSA P-256, a Pulumi secret) and a certificate signed by one of the program's CAs.
 * @pulumi/tls considers it gone once `earlyRenewalHours` before its end (`readyForRenewal`), so
 * the first `pulumi up` in that window issues a new one; dependents roll on its hash.
 */
export function leafCertificate(
  name: string,
  args: LeafCertificateArgs,
  opts: pulumi.CustomResourceOptions,
): { cert: pulumi.Output<string>; key: pulumi.Output<string> } {
  const key = new tls.PrivateKey(`${name}-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, opts);
  const request = new tls.CertRequest(
    `${name}-csr`,
    {
      privateKeyPem: key.privateKeyPem,
      subject: { commonName: args.commonName },
      dnsNames: args.dnsNames,
    },
    opts,
  );
  const cert = new tls.LocallySignedCert(
    `${name}-cert`,
    {
      certRequestPem: request.certRequestPem,
      caPrivateKeyPem: args.caKeyPem,
      caCertPem: args.caCertPem,
      validityPeriodHours: LEAF_VALIDITY_HOURS,
      earlyRenewalHours: LEAF_EARLY_RENEWAL_HOURS,
      allowedUses: ["digital_signature", "key_encipherment", ...args.uses],
    },
    opts,
  );
  // PKCS#8: Logstash's beats input reads no other form, and Node (Dashboards) reads it too.
  return { cert: cert.certPem, key: pulumi.secret(key.privateKeyPemPkcs8) };
}

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
