import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { type Reply, reply } from "./annotation-jobs.ts";

/** Constant time: both sides hashed to the same length before comparing. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (t: string) => createHash("sha256").update(t).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** PagerDuty: `X-PagerDuty-Signature: v1=<hex hmac-sha256 of the raw body>[,v1=...]`. */
export function pagerdutySignatureProblem(
  header: string | undefined,
  raw: string,
  secrets: string[],
): Reply | undefined {
  if (!header) return reply(400, { error: "missing X-PagerDuty-Signature header" });
  const given = header
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.startsWith("v1="))
    .map((s) => s.slice(3));
  if (given.length === 0)
    return reply(400, { error: "X-PagerDuty-Signature has no v1=<hex> signature" });
  const valid = secrets.some((secret) => {
    const expected = createHmac("sha256", secret).update(raw, "utf8").digest("hex");
    return given.some((g) => sameSecret(g, expected));
  });
  return valid ? undefined : reply(403, { error: "invalid X-PagerDuty-Signature" });
}
