import { irsaTrustPolicy } from "../../components/archive/security";
import { archiveWriters } from "../../components/logging/writers";
import { configOf } from "./support";

/**
 * What each archive role may do is judged by an IAM engine against the declared policies
 * (tests/archive/iam.test.ts); here: which grant each writer has, and who may assume it.
 */

describe("the archive writers (least privilege, IRSA)", () => {
  it("give Logstash an append-only grant on logs/ and OpenSearch its snapshots/", () => {
    const grants = (stack: string) =>
      Object.fromEntries(
        Object.entries(archiveWriters(configOf(stack))).map(([name, w]) => [name, w.grant]),
      );
    expect(grants("prod")).toEqual({
      logstash: { prefix: "logs/", access: "append" },
      snapshots: { prefix: "snapshots/", access: "manage" },
    });
    // The dr stack's bucket is prod's replica: it restores from prod's snapshots, never writes.
    expect(grants("dr").snapshots).toEqual({ prefix: "snapshots/", access: "read" });
  });

  it("are assumable only by their own service account", () => {
    const config = configOf("prod");
    const oidc = config.cluster.oidcProviderArn ?? "";
    const trust = irsaTrustPolicy(oidc, "logging", "logstash");
    expect(trust.Statement[0].Condition.StringEquals).toEqual({
      "oidc.eks.us-east-1.amazonaws.com/id/5C1D8E2A7B9F4C3D6E0A1B2C3D4E5F60:sub":
        "system:serviceaccount:logging:logstash",
      "oidc.eks.us-east-1.amazonaws.com/id/5C1D8E2A7B9F4C3D6E0A1B2C3D4E5F60:aud":
        "sts.amazonaws.com",
    });
  });
});
