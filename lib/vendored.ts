import { join } from "node:path";

/** Pinned upstream files (chart values, CRDs, grok patterns, action inputs); see vendor/README.md. */
export const VENDOR_DIR = join(__dirname, "..", "vendor");
