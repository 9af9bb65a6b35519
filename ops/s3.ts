import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";

/**
 * Just enough of S3 for the monthly report: PutObject signed with Signature Version 4, with the
 * pod's IRSA credentials (AssumeRoleWithWebIdentity on the projected token). The bucket's default
 * encryption (SSE-KMS with its own key) applies to what is put.
 */

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SignInput {
  readonly method: string;
  readonly host: string;
  /** URI-encoded path. */
  readonly path: string;
  readonly query?: string;
  readonly headers: Record<string, string>;
  readonly payloadSha256: string;
  readonly region: string;
  readonly service: string;
  /** YYYYMMDD'T'HHMMSS'Z'. */
  readonly amzDate: string;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) =>
  createHmac("sha256", key).update(data).digest();

/** Pure: the Authorization header value of a SigV4 request (headers must include host and x-amz-*). */
export function authorization(input: SignInput, creds: Credentials): string {
  const headers = Object.entries(input.headers)
    .map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, " ")] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const signed = headers.map(([k]) => k).join(";");
  const canonical = [
    input.method,
    input.path,
    input.query ?? "",
    ...headers.map(([k, v]) => `${k}:${v}`),
    "",
    signed,
    input.payloadSha256,
  ].join("\n");
  const day = input.amzDate.slice(0, 8);
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", input.amzDate, scope, sha256(canonical)].join("\n");
  const key = ["aws4_request"].reduce(
    (k, part) => hmac(k, part),
    hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), input.region), input.service),
  );
  const signature = createHmac("sha256", key).update(toSign).digest("hex");
  return `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}`;
}

export const amzDate = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

const encodeKey = (key: string) =>
  key
    .split("/")
    .map((part) =>
      encodeURIComponent(part).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join("/");

/** IRSA: the role and token file the EKS pod identity webhook puts in the environment. */
export async function credentialsFromEnvironment(env = process.env): Promise<Credentials> {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY)
    return {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN,
    };
  if (!env.AWS_ROLE_ARN || !env.AWS_WEB_IDENTITY_TOKEN_FILE)
    throw new Error(
      "no AWS credentials: neither AWS_ACCESS_KEY_ID nor IRSA (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE)",
    );
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
  const params = new URLSearchParams({
    Action: "AssumeRoleWithWebIdentity",
    Version: "2011-06-15",
    RoleArn: env.AWS_ROLE_ARN,
    RoleSessionName: "port8000-ops",
    WebIdentityToken: readFileSync(env.AWS_WEB_IDENTITY_TOKEN_FILE, "utf8").trim(),
  });
  const res = await fetch(`https://sts.${region}.amazonaws.com/?${params}`, {
    signal: AbortSignal.timeout(20_000),
  });
  const xml = await res.text();
  const tag = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)?.[1];
  const accessKeyId = tag("AccessKeyId");
  const secretAccessKey = tag("SecretAccessKey");
  if (!res.ok || !accessKeyId || !secretAccessKey)
    throw new Error(`STS refused AssumeRoleWithWebIdentity: HTTP ${res.status}`);
  return { accessKeyId, secretAccessKey, sessionToken: tag("SessionToken") };
}

export interface PutTarget {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  /** Tests point this at a stand-in; S3 otherwise. */
  readonly endpoint?: string;
}

export async function putObject(
  t: PutTarget,
  body: Buffer,
  contentType: string,
  creds: Credentials,
): Promise<void> {
  const base = new URL(t.endpoint ?? `https://${t.bucket}.s3.${t.region}.amazonaws.com`);
  const path = `${t.endpoint ? `/${t.bucket}` : ""}/${encodeKey(t.key)}`;
  const payloadSha256 = sha256(body);
  const headers: Record<string, string> = {
    host: base.host,
    "content-type": contentType,
    "x-amz-content-sha256": payloadSha256,
    "x-amz-date": amzDate(new Date()),
    ...(creds.sessionToken ? { "x-amz-security-token": creds.sessionToken } : {}),
  };
  headers.authorization = authorization(
    {
      method: "PUT",
      host: base.host,
      path,
      headers: { ...headers },
      payloadSha256,
      region: t.region,
      service: "s3",
      amzDate: headers["x-amz-date"],
    },
    creds,
  );
  const { host: _host, ...sent } = headers;
  const res = await fetch(new URL(path, base), {
    method: "PUT",
    headers: sent,
    body,
    signal: AbortSignal.timeout(60_000),
  });
  if (!res.ok)
    throw new Error(
      `S3 PutObject ${t.key}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`,
    );
}
