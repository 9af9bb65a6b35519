import { createHash } from "node:crypto";

/** Content checksums that roll pods or rename Jobs when what they run changes. */

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** One checksum of a set of files (ConfigMap data, mounted code), name → content. */
export function filesChecksum(files: Readonly<Record<string, string>>): string {
  return sha256Hex(JSON.stringify(files));
}
