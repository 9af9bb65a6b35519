import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { SECRET_PLACEHOLDER } from "../lib/conventions";

/**
 * Runs the Pulumi program in the SDK's mock runtime (no CLI, no cloud) and records every
 * resource it declares, with its parent, protect flag and inputs (secrets masked).
 */

type RegisterResource = (
  req: RegisterRequest,
  callback: (err: unknown, res: unknown) => void,
) => Promise<void>;

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProtect(): boolean | undefined;
  getRetainondelete?(): boolean | undefined;
  getAliasesList?(): AliasMessage[];
  getPropertydependenciesMap?(): { forEach(f: (deps: UrnList, key: string) => void): void };
  getIgnorechangesList(): string[];
  getAdditionalsecretoutputsList?(): string[];
  getDependenciesList(): string[];
  getCustom(): boolean;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

interface AliasMessage {
  getUrn(): string;
  getSpec():
    | { getName(): string; getType(): string; getParenturn(): string; getNoparent(): boolean }
    | undefined;
}

interface UrnList {
  getUrnsList(): string[];
}

/** An alias as declared: a whole URN, or the parts of the old identity that differ. */
export type RecordedAlias =
  | { readonly urn: string }
  | { readonly name?: string; readonly type?: string; readonly parent?: string | null };

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly parent: string | null;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly aliases: RecordedAlias[];
  /** Input property → resources it depends on, each as `type::name`. */
  readonly propertyDependencies: Record<string, string[]>;
  readonly custom: boolean;
  /** The `ignoreChanges` option: properties Pulumi leaves to whoever else changes them. */
  readonly ignoreChanges: readonly string[];
  /** Names of the resources it was declared to depend on (`dependsOn`). */
  readonly dependsOn: readonly string[];
  readonly inputs: Record<string, unknown>;
}

let loadedSdk: typeof pulumi | undefined;

/**
 * The Pulumi SDK, loaded on the first run: the tests and scripts that import this module for
 * its types or helpers (through scripts/synth-lib.ts, say) never need it.
 */
function sdk(): typeof pulumi {
  loadedSdk ??= require("@pulumi/pulumi") as typeof pulumi;
  return loadedSdk;
}

/** Replaces every serialized secret with the placeholder, so nothing secret is recorded. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  const { specialSigKey, specialSecretSig } = sdk().runtime;
  if (record[specialSigKey] === specialSecretSig) return SECRET_PLACEHOLDER;
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, maskSecrets(v)]));
}

function nameFromUrn(urn: string): string | null {
  if (!urn) return null;
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** `type::name` of a URN (`urn:pulumi:stack::project::parent$type::name`). */
export function refOfUrn(urn: string): string {
  const [, , qualifiedType = "", ...name] = urn.split("::");
  return `${qualifiedType.slice(qualifiedType.lastIndexOf("$") + 1)}::${name.join("::")}`;
}

function aliasOf(alias: AliasMessage): RecordedAlias {
  const spec = alias.getSpec();
  if (!spec) return { urn: alias.getUrn() };
  const parent = spec.getNoparent() ? null : nameFromUrn(spec.getParenturn()) || undefined;
  return {
    ...(spec.getName() ? { name: spec.getName() } : {}),
    ...(spec.getType() ? { type: spec.getType() } : {}),
    ...(parent !== undefined ? { parent } : {}),
  };
}

function propertyDependenciesOf(req: RegisterRequest): Record<string, string[]> {
  const deps: Record<string, string[]> = {};
  req.getPropertydependenciesMap?.().forEach((list, key) => {
    const urns = list.getUrnsList();
    if (urns.length > 0) deps[key] = urns.map(refOfUrn).sort();
  });
  return deps;
}

/** The id the mocks give a Grafana team: stable per resource name. */
export function stableNumber(text: string): number {
  return [...text].reduce((n, c) => (n * 31 + c.charCodeAt(0)) % 100_000, 7);
}

/** Computed outputs the program reads back from providers; anything else echoes inputs. */
function mockState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  const state: Record<string, unknown> = { ...args.inputs };
  if (args.type === "aws:s3/bucket:Bucket") {
    const bucket = args.inputs.bucket ?? `${args.name}-mock`;
    Object.assign(state, { bucket, arn: `arn:aws:s3:::${bucket}`, id: bucket });
  }
  if (args.type === "aws:iam/role:Role") {
    state.arn = `arn:aws:iam::000000000000:role/${args.inputs.name ?? args.name}`;
  }
  if (args.type === "aws:kms/key:Key") {
    Object.assign(state, {
      keyId: `${args.name}-key-id`,
      arn: `arn:aws:kms:us-east-1:000000000000:key/${args.name}-key-id`,
    });
  }
  if (args.type === "pagerduty:index/serviceIntegration:ServiceIntegration") {
    state.integrationKey = `${args.name}-key`;
  }
  // A key, PEM-shaped as the provider returns it, so a key that leaked into a plain input shows.
  if (args.type === "tls:index/privateKey:PrivateKey") {
    const pem = (kind: string) =>
      `-----BEGIN ${kind}PRIVATE KEY-----\nmock ${args.name}\n-----END ${kind}PRIVATE KEY-----\n`;
    Object.assign(state, {
      privateKeyPem: pem("EC "),
      privateKeyPemPkcs8: pem(""),
      privateKeyOpenssh: pem("OPENSSH "),
    });
  }
  if (args.type.startsWith("grafana:")) state.uid = args.inputs.uid ?? `${args.name}-uid`;
  if (args.type === "grafana:oss/team:Team") state.teamId = stableNumber(args.name);
  return state;
}

function recordOf(req: RegisterRequest): RecordedResource {
  return {
    type: req.getType(),
    name: req.getName(),
    parent: nameFromUrn(req.getParent()),
    protect: req.getProtect() ?? false,
    retainOnDelete: req.getRetainondelete?.() ?? false,
    aliases: (req.getAliasesList?.() ?? []).map(aliasOf),
    propertyDependencies: propertyDependenciesOf(req),
    custom: req.getCustom(),
    ignoreChanges: req.getIgnorechangesList(),
    dependsOn: req.getDependenciesList().map((urn) => nameFromUrn(urn) ?? urn),
    inputs: maskSecrets(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
  };
}

export interface ProgramRun {
  readonly resources: RecordedResource[];
  readonly outputs: Record<string, unknown>;
}

export interface RunOptions {
  readonly project: string;
  readonly stack: string;
  /** Full keys ("project:key") to string values, as the engine passes them. */
  readonly config: Record<string, string>;
  readonly secretKeys: readonly string[];
  /** Loads the program; returns its module exports (the stack outputs). */
  readonly load: () => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** Where to record, for a caller that must see what was declared even if the run fails. */
  readonly recorded?: RecordedResource[];
  /**
   * Live state as a refreshed engine knows it, e.g. the deploy-freeze ConfigMap: for a read
   * (`Resource.get`, args.id set) and for a declared resource that exists already (its state
   * is merged over the echoed inputs). Return undefined for a resource to be created; throw
   * for a read of something that does not exist.
   */
  readonly readState?: (
    args: pulumi.runtime.MockResourceArgs,
  ) => Record<string, unknown> | undefined;
  /** Answers provider calls before the built-in ones; throw to make a call fail. */
  readonly invoke?: (args: pulumi.runtime.MockCallArgs) => Record<string, unknown> | undefined;
}

/** Marks the outputs a provider declares secret (additionalSecretOutputs), as the engine does. */
function withSecretOutputs(state: Record<string, unknown>, keys: readonly string[] = []) {
  const marked = { ...state };
  const { specialSigKey, specialSecretSig } = sdk().runtime;
  for (const key of keys) {
    if (key in marked) marked[key] = { [specialSigKey]: specialSecretSig, value: marked[key] };
  }
  return marked;
}

export async function runProgram(options: RunOptions): Promise<ProgramRun> {
  const resources: RecordedResource[] = options.recorded ?? [];
  const secretOutputs = new Map<string, string[]>();
  const mocks: pulumi.runtime.Mocks = {
    newResource: (args) => {
      const live = options.readState?.(args);
      if (live && args.id) return { id: args.id, state: live };
      const state = { ...mockState(args), ...live };
      const secret = secretOutputs.get(`${args.type}::${args.name}`);
      return { id: `${args.name}-id`, state: withSecretOutputs(state, secret) };
    },
    call: (args) => {
      const answer = options.invoke?.(args);
      if (answer) return answer;
      // An existing bucket (archive.existing) is read, and found, by name.
      if (args.token === "aws:s3/getBucket:getBucket") {
        const bucket = String(args.inputs.bucket);
        return { bucket, arn: `arn:aws:s3:::${bucket}`, region: args.inputs.region, id: bucket };
      }
      // Tag → digest lookups of the pinned images: a stable fake digest per image name.
      if (args.token === "docker:index/getRegistryImage:getRegistryImage") {
        const name = String(args.inputs.name);
        // As the provider does: a "docker.io/" prefix is taken for a registry host, and fails.
        if (/^(index\.)?docker\.io\//.test(name)) {
          const message = `getRegistryImage ${name}: https://docker.io/v2/ is not a registry API`;
          throw Object.assign(new Error(message), { details: message });
        }
        return { name, sha256Digest: `sha256:${createHash("sha256").update(name).digest("hex")}` };
      }
      // PagerDuty users (escalation) are looked up by e-mail: a stable fake id per e-mail.
      if (args.token === "pagerduty:index/getUser:getUser") {
        const email = String(args.inputs.email);
        const id = `P${createHash("sha256").update(email).digest("hex").slice(0, 6).toUpperCase()}`;
        return { id, email, name: email.split("@")[0] };
      }
      // The SDK reports a failed invoke by the error's gRPC `details`, not its message.
      const message = `unmocked provider call ${args.token}: add it to the mocks on purpose`;
      throw Object.assign(new Error(message), { details: message });
    },
  };
  const { runtime } = sdk();
  await runtime.setMocks(mocks, options.project, options.stack, false);
  // Wrap the mock monitor setMocks installed (keeping its feature flags, secrets among them).
  const monitor = runtime.getMonitor() as unknown as { registerResource: RegisterResource };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    resources.push(recordOf(req));
    secretOutputs.set(
      `${req.getType()}::${req.getName()}`,
      req.getAdditionalsecretoutputsList?.() ?? [],
    );
    return register(req, callback);
  };
  runtime.setAllConfig(options.config, [...options.secretKeys]);
  // Registrations the outputs do not wait for finish in disconnect().
  const outputs = await withStackDepth(PROGRAM_STACK_FRAMES, async () => {
    const resolved = await resolveOutputs(await options.load());
    await runtime.disconnect();
    return resolved;
  });
  return { resources, outputs };
}

/**
 * Node's default stack depth, as `pulumi up` runs the program. The SDK captures a stack trace for
 * every promise it makes (runtime/debuggable.ts); jest raises the depth to 100 frames and maps
 * each through source maps, which cost a third of a program run's CPU under jest.
 */
const PROGRAM_STACK_FRAMES = 10;

async function withStackDepth<T>(frames: number, run: () => Promise<T>): Promise<T> {
  const before = Error.stackTraceLimit;
  Error.stackTraceLimit = frames;
  try {
    return await run();
  } finally {
    Error.stackTraceLimit = before;
  }
}

async function resolveOutputs(exports: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { Output, isSecret, output } = sdk();
  const entries = await Promise.all(
    Object.entries(exports).map(async ([key, exported]) => {
      // The engine resolves outputs nested in an exported object or array too.
      const value =
        exported !== null && typeof exported === "object" && !Output.isInstance(exported)
          ? output(exported)
          : exported;
      if (!Output.isInstance(value)) return [key, value] as const;
      const secret = await isSecret(value);
      const plain = await new Promise<unknown>((resolve) => value.apply(resolve));
      return [key, secret ? SECRET_PLACEHOLDER : plain] as const;
    }),
  );
  return Object.fromEntries(entries);
}
