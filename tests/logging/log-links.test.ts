import yaml from "js-yaml";
import { APPLY_SCRIPT, policyJobSpec } from "../../components/opensearch/policy-job";
import { ArtifactPath } from "../../lib/conventions";
import { renderArtifacts } from "../../scripts/artifacts";
import { parseStackFileConfig } from "../../scripts/synth-lib";
import { stackFile } from "../support/program";

/**
 * The alerts' log links open Discover on the port8000-* index pattern, which the policy Job
 * saves in one Dashboards tenant. A link must open that tenant: a person whose session sits in
 * their private tenant would otherwise land where the index pattern does not exist.
 */

const config = parseStackFileConfig("prod", stackFile("prod"));
const rules = yaml.load(renderArtifacts(config)[ArtifactPath.rules]) as {
  groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[];
};
const links = rules.groups
  .flatMap((g) => g.rules)
  .filter((r) => r.alert)
  .map((r) => [r.alert as string, r.annotations?.logs_url ?? ""] as const);

/** The tenant the Job saves the index pattern in: the securitytenant header of its request. */
function patternTenantOf(): string | undefined {
  const header = /saved_objects\/index-pattern[^\n]*-H ["']securitytenant: ([^"']+)["']/.exec(
    APPLY_SCRIPT,
  )?.[1];
  const variable = /^\$(\w+)$/.exec(header ?? "")?.[1];
  if (!variable) return header;
  const env = policyJobSpec(config, "curl@sha256:0").template.spec.containers[0].env;
  const found = env.find((e) => e.name === variable);
  return found && "value" in found ? found.value : undefined;
}
const patternTenant = patternTenantOf();

describe("log links and the index pattern's tenant", () => {
  it("the policy Job saves the index pattern in a named tenant", () => {
    expect(patternTenant).toBe("global");
  });

  it.each(links)("%s's log link opens that tenant", (_alert, url) => {
    const parsed = new URL(url);
    expect(parsed.pathname).toBe("/app/discover");
    // Dashboards' security plugin reads the tenant from the query string, not the fragment.
    expect(parsed.searchParams.get("security_tenant")).toBe(patternTenant);
    expect(parsed.hash).toContain("index:'port8000-*'");
  });
});
