import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fromEngineConfig, parseStackConfig } from "../../components/config/parse";
import { requiredSecrets, SECRET_KEYS, secretNeeds } from "../../components/config/secrets";
import { PROJECT } from "../../lib/conventions";
import { ROOT, stackFile } from "../support/program";

/**
 * Pulumi decrypts every `secure:` value of a stack file before the program runs, so a secure key
 * the README never asks the user to set fails every preview and up. The rule, for each deployed
 * stack: every secure key is one the program needs for that stack, and the README tells the
 * user to set it; every secret the stack needs is in the stack file and in the README.
 */

const DEPLOYED = ["prod", "dr"] as const;

/** Keys the README sets with `pulumi config set --secret KEY`. */
function readmeSecrets(readme: string): Set<string> {
  return new Set([...readme.matchAll(/pulumi config set --secret\s+(\w+)/g)].map((m) => m[1]));
}

function neededSecrets(stack: string): string[] {
  const file = stackFile(stack);
  const { raw, secrets } = fromEngineConfig(file.config, file.secretKeys);
  const result = parseStackConfig(raw, secrets);
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return requiredSecrets(secretNeeds(result.config));
}

const secureKeys = (stack: string) =>
  stackFile(stack).secretKeys.map((key) => key.slice(`${PROJECT}:`.length));

describe("secrets a real deploy must decrypt", () => {
  const readme = readmeSecrets(readFileSync(join(ROOT, "README.md"), "utf8"));

  it.each(DEPLOYED)("every secure key of Pulumi.%s.yaml is one the program needs", (stack) => {
    const needed = neededSecrets(stack);
    expect(secureKeys(stack).filter((key) => !needed.includes(key))).toEqual([]);
  });

  it.each(DEPLOYED)("every secure key of Pulumi.%s.yaml is set in the README", (stack) => {
    expect(secureKeys(stack).filter((key) => !readme.has(key))).toEqual([]);
  });

  it.each(DEPLOYED)("every secret Pulumi.%s.yaml needs is in the file and the README", (stack) => {
    const needed = neededSecrets(stack);
    expect(needed.filter((key) => !secureKeys(stack).includes(key))).toEqual([]);
    expect(needed.filter((key) => !readme.has(key))).toEqual([]);
  });

  it("reads only keys of the registry from the README (the check can fail)", () => {
    const known = new Set<string>(SECRET_KEYS);
    expect([...readme].filter((key) => !known.has(key))).toEqual([]);
    expect(readmeSecrets("pulumi config set --secret fooKey x").has("fooKey")).toBe(true);
  });
});
