import { type BuildOptions, buildSync } from "esbuild";

/**
 * Code shipped in a ConfigMap and run by Node in a pinned image: one minified CommonJS file
 * with its dependencies, so the pod needs no registry and no install step.
 */
export function nodeBundle(input: Pick<BuildOptions, "entryPoints" | "stdin">): Uint8Array {
  return buildSync({
    ...input,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: true,
    legalComments: "none",
    write: false,
    logLevel: "error",
  }).outputFiles[0].contents;
}
