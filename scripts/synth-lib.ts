import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ConfigProblems, fromEngineConfig, parseStackConfig } from "../components/config/parse";
import type { StackConfig } from "../components/config/schema";
import { ArtifactPath, PROJECT } from "../lib/conventions";
import { toSortedJson } from "../lib/serialize";
import { type Artifacts, renderArtifacts } from "./artifacts";
import { type RecordedResource, runProgram } from "./mock-runtime";
import { readStackFile, type StackFileConfig } from "./stack-file";
import { type Validation, validateArtifacts } from "./validators";

export interface SynthResult {
  readonly config: StackConfig;
  readonly artifacts: Artifacts;
  readonly resources: RecordedResource[];
  readonly outputs: Record<string, unknown>;
  readonly validations: Validation[];
}

const MARKER = ".synth";

export class OutDirError extends Error {}
const ROOT = resolve(__dirname, "..");

export function parseStackFileConfig(stack: string, file: StackFileConfig): StackConfig {
  const { raw, secrets } = fromEngineConfig(file.config, file.secretKeys);
  const result = parseStackConfig(raw, secrets);
  if (!result.ok) throw new ConfigProblems(stack, result.problems);
  return result.config;
}

/** Runs index.ts under the mock runtime with the stack file's config; secrets stay masked. */
export async function declareResources(stack: string, file: StackFileConfig) {
  return runProgram({
    project: PROJECT,
    stack,
    config: file.config,
    secretKeys: file.secretKeys,
    load: () => require(join(ROOT, "index")),
  });
}

/** Only a directory synth made (or an empty one) may be replaced, so --out never eats a tree. */
function refuseForeignOutDir(out: string): void {
  if (existsSync(out) && readdirSync(out).length > 0 && !existsSync(join(out, MARKER))) {
    throw new OutDirError(`${out} exists and was not written by synth; choose another --out`);
  }
}

function prepareOutDir(out: string): void {
  refuseForeignOutDir(out);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, MARKER), "written by npm run synth; replaced on every run\n");
}

export function writeArtifacts(out: string, artifacts: Artifacts): void {
  prepareOutDir(out);
  for (const [path, content] of Object.entries(artifacts)) {
    mkdirSync(dirname(join(out, path)), { recursive: true });
    writeFileSync(join(out, path), content);
  }
}

function resourcesDocument(resources: readonly RecordedResource[]): string {
  const sorted = [...resources].sort((a, b) =>
    `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`),
  );
  return toSortedJson(
    sorted.map(
      ({ type, name, parent, protect, retainOnDelete, aliases, propertyDependencies, inputs }) => ({
        type,
        name,
        parent,
        protect,
        retainOnDelete,
        aliases,
        propertyDependencies,
        inputs,
      }),
    ),
  );
}

export async function synth(
  stack: string,
  configFile: string,
  out: string,
  timeScale = 1,
): Promise<SynthResult> {
  const file = readStackFile(configFile);
  const config = parseStackFileConfig(stack, file);
  const artifacts = renderArtifacts(config, { timeScale });
  // Before the program runs, so a wrong --out is refused at once.
  refuseForeignOutDir(out);
  const { resources, outputs } = await declareResources(stack, file);
  const all = { ...artifacts, [ArtifactPath.resources]: resourcesDocument(resources) };
  writeArtifacts(out, all);
  const validations = validateArtifacts(out, Object.keys(all));
  return { config, artifacts: all, resources, outputs, validations };
}
