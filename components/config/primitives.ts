import { z } from "zod";
import { DURATION_PATTERN } from "../../lib/duration";

/** Value types shared by the config sections, each with the message a user reads. */

export const text = z.string({ message: "expected a string" }).min(1, "must not be empty");
export const duration = z.string().regex(DURATION_PATTERN, {
  message: 'expected a Prometheus duration such as "30s", "5m" or "1h"',
});
export const url = z.url({ message: "expected an absolute URL (http:// or https://)" });
export const port = z.number().int().min(1).max(65535);
export const path = z.string().regex(/^\//, { message: 'expected a path starting with "/"' });
export const positiveInt = z.number().int().positive();
export const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: "expected a lowercase DNS label" })
  .max(63);
export const quantity = z.string().regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti)$/, {
  message: 'expected a Kubernetes quantity such as "50Gi"',
});
export const email = z.email({ message: "expected an e-mail address" });
