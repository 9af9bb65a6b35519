import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

/**
 * The dependency direction of the program's sources, lowest layer first: the automation
 * service (a program of its own, shipped as its source files), names and config, renderers,
 * components, commands. A file may import its own layer or lower ones only.
 */

export const LAYERS = [
  "automation-service",
  "names-and-config",
  "renderers",
  "components",
  "commands",
] as const;
export type Layer = (typeof LAYERS)[number];

/** The layer of a repository-relative .ts path; undefined for files outside the program. */
export function layerOf(path: string): Layer | undefined {
  if (/^automation\//.test(path)) return "automation-service";
  if (/^lib\//.test(path) || /^components\/config\//.test(path)) return "names-and-config";
  if (
    /^components\/[^/]+\/([^/]+\/)?index\.ts$/.test(path) ||
    /^components\/providers\//.test(path)
  ) {
    return "components";
  }
  if (/^(alerts|dashboards|components)\//.test(path)) return "renderers";
  if (/^(index\.ts$|scripts|local|ops|bench|policy)\b/.test(path)) return "commands";
  return undefined;
}

export interface Import {
  readonly from: string;
  readonly to: string;
}

export interface Violation extends Import {
  readonly fromLayer: Layer;
  readonly toLayer: Layer;
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+"(\.{1,2}\/[^"]+)"|require\("(\.{1,2}\/[^"]+)"\)/g;

/** Relative imports of a source text, resolved to repository-relative .ts paths. */
export function importsOf(path: string, text: string, exists: (p: string) => boolean): Import[] {
  return [...text.matchAll(IMPORT)].map((match) => {
    const target = normalize(join(dirname(path), match[1] ?? match[2]));
    const to = /\.ts$/.test(target)
      ? target
      : exists(`${target}.ts`)
        ? `${target}.ts`
        : join(target, "index.ts");
    return { from: path, to };
  });
}

/** Every import that points from a lower layer into a higher one. */
export function upwardImports(imports: readonly Import[]): Violation[] {
  return imports.flatMap((imp) => {
    const fromLayer = layerOf(imp.from);
    const toLayer = layerOf(imp.to);
    if (!fromLayer || !toLayer) return [];
    if (LAYERS.indexOf(toLayer) <= LAYERS.indexOf(fromLayer)) return [];
    return [{ ...imp, fromLayer, toLayer }];
  });
}

function tsFiles(root: string, dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(join(root, path)).isDirectory()) return tsFiles(root, path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** The import graph of the program's sources under root. */
export function importGraph(root: string): Import[] {
  const dirs = [
    "automation",
    "lib",
    "components",
    "alerts",
    "dashboards",
    "scripts",
    "local",
    "ops",
    "bench",
    "policy",
  ];
  const files = [
    "index.ts",
    ...dirs.flatMap((dir) => {
      try {
        return tsFiles(root, dir);
      } catch {
        return [];
      }
    }),
  ];
  const exists = (p: string) => {
    try {
      return statSync(join(root, p)).isFile();
    } catch {
      return false;
    }
  };
  return files.flatMap((file) => importsOf(file, readFileSync(join(root, file), "utf8"), exists));
}
