import { PolicyName, SECRET_PLACEHOLDER } from "../lib/conventions";
import { type Report, resourcePolicy, type Subject, stackPolicy } from "./subject";

/**
 * Secrets belong in Kubernetes Secrets (mounted as files) or in Pulumi secrets, never in a
 * ConfigMap, in Helm values (stored in plain text in the release) or in a plain stack output.
 * The policy SDK hands policies secret values unwrapped, so a secret is recognised by what it
 * is: synth's placeholder for a Pulumi secret, a credential-shaped value, or a literal under a
 * credential's key name (`routing_key_file` and other references are fine).
 */

const CREDENTIAL_SHAPES: readonly [string, RegExp][] = [
  ["a Slack webhook URL", /https:\/\/hooks\.slack\.com\/(services|workflows)\//],
  ["a Slack token", /\bxox[abprs]-[A-Za-z0-9-]{10,}/],
  ["an AWS access key id", /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ["a private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ["a GitHub token", /\bgh[pousr]_[A-Za-z0-9]{36}\b/],
  ["a JSON web token", /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\./],
  ["credentials in a URL", /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i],
];

const CREDENTIAL_KEYS = new Set([
  "password",
  "passwd",
  "authpassword",
  "token",
  "apitoken",
  "accesstoken",
  "bearertoken",
  "apikey",
  "routingkey",
  "servicekey",
  "webhookurl",
  "apiurl",
  "secretkey",
  "secretaccesskey",
  "clientsecret",
  "privatekey",
]);

const normalise = (key: string) => key.toLowerCase().replace(/[-_.]/g, "");

function credentialShape(value: string): string | undefined {
  if (value === SECRET_PLACEHOLDER) return "a Pulumi secret";
  return CREDENTIAL_SHAPES.find(([, shape]) => shape.test(value))?.[0];
}

/** Where secrets sit in a value: `path: what`, for every string leaf. */
export function secretFindings(value: unknown, path = ""): string[] {
  if (typeof value === "string") {
    const shape = credentialShape(value);
    return shape ? [`${path || "value"}: ${shape}`] : [];
  }
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => {
    const here = path ? `${path}.${key}` : key;
    const literal = typeof child === "string" && child !== "" && !child.startsWith("{{");
    if (literal && CREDENTIAL_KEYS.has(normalise(key))) return [`${here}: a literal ${key}`];
    return secretFindings(child, here);
  });
}

const HELM_TYPES = [
  "kubernetes:helm.sh/v3:Release",
  "kubernetes:helm.sh/v3:Chart",
  "kubernetes:helm.sh/v4:Chart",
];
export const STACK_TYPE = "pulumi:pulumi:Stack";

function reportFindings(where: string, value: unknown, report: Report, ref?: string): void {
  for (const finding of secretFindings(value)) report(`${where}: ${finding}`, ref);
}

export const noSecretInConfigMap = resourcePolicy(
  {
    name: PolicyName.noSecretInConfigMap,
    description: "ConfigMaps carry no secret; put it in a Secret and mount it.",
  },
  (subject: Subject, report) => {
    if (subject.type !== "kubernetes:core/v1:ConfigMap") return;
    const { data, binaryData } = subject.props;
    reportFindings(`ConfigMap ${subject.name}`, { data, binaryData }, report);
  },
);

export const noSecretInHelmValues = resourcePolicy(
  {
    name: PolicyName.noSecretInHelmValues,
    description:
      "Helm values carry no secret (Helm stores them in plain text); reference a mounted Secret.",
  },
  (subject, report) => {
    if (!HELM_TYPES.includes(subject.type)) return;
    reportFindings(`Helm values of ${subject.name}`, subject.props.values, report);
  },
);

/** The engine shows the stack's outputs as the properties of its root resource. */
export const noSecretInPlainOutput = stackPolicy(
  {
    name: PolicyName.noSecretInPlainOutput,
    description: "Stack outputs carry no secret unless it is a Pulumi secret.",
  },
  (all, report) => {
    for (const stack of all.filter((s) => s.type === STACK_TYPE))
      for (const [key, value] of Object.entries(stack.props)) {
        if (value === SECRET_PLACEHOLDER) continue; // a Pulumi secret, shown masked
        reportFindings(`stack output ${key}`, value, report, stack.ref);
      }
  },
);
