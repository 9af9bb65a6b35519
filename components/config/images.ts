import { z } from "zod";

/**
 * Images the program runs are pinned by digest: a tag can be moved by whoever pushes to the
 * registry, a digest cannot, so a rebuild in a disaster runs what was reviewed. The tag stays
 * for people and for update tools.
 */

export const PINNED_IMAGE = /^[a-z0-9./-]+(:[\w.-]+)?@sha256:[0-9a-f]{64}$/;

export const pinnedImage = z.string().regex(PINNED_IMAGE, {
  message: "expected an image pinned by digest, name:tag@sha256:<64 hex digits>",
});

/** Node 24 strips the types of the automation service's TypeScript; nothing else is in it. */
export const AUTOMATION_IMAGE =
  "node:24-alpine@sha256:d32cdf619f63fe0471182d08996dd516c6275bb5fd31ae06e55a570bd9e1ad43";

/** Only `chroot` is needed from it: the Job runs the node's own logrotate. */
export const LOG_ROTATION_IMAGE =
  "busybox:1.37@sha256:9db7b59979c38555a39def84a31fb98b5296952f9e3afd4f6f11f05b07adfab0";

/**
 * The name to hand the docker provider's registry lookup. Its parser (kreuzwerker
 * parseImageOptions) takes a leading "docker.io/" for a registry host and asks
 * https://docker.io/v2/, which does not serve the registry API; a name without a registry goes
 * to registry-1.docker.io, Docker Hub's API. The deployed reference keeps the full name.
 */
export function registryLookupName(image: string): string {
  return image.replace(/^(?:index\.)?docker\.io\//, "");
}
