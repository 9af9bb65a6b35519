import { statefulResourcesProtected, volumeClaimsRetained } from "../../policy/state";
import { messages, resource } from "./support";

describe("policy stateful-resources-protected", () => {
  const stateful = [
    ["aws:s3/bucket:Bucket", { bucket: "archive" }],
    ["kubernetes:core/v1:Namespace", { metadata: { name: "monitoring" } }],
    ["kubernetes:core/v1:PersistentVolumeClaim", { spec: {} }],
    ["kubernetes:opensearch.org/v1:OpenSearchCluster", { spec: {} }],
  ] as const;

  it.each(stateful)("refuses an unprotected %s", async (type, inputs) => {
    expect(await messages(statefulResourcesProtected, [resource(type, "x", inputs)])).toEqual([
      expect.stringContaining("protect: true"),
    ]);
  });

  it.each(stateful)("passes a protected %s", async (type, inputs) => {
    const protectedOne = resource(type, "x", inputs, { protect: true });
    expect(await messages(statefulResourcesProtected, [protectedOne])).toEqual([]);
  });

  it("leaves stateless resources alone", async () => {
    const configMap = resource("kubernetes:core/v1:ConfigMap", "cm", { data: {} });
    expect(await messages(statefulResourcesProtected, [configMap])).toEqual([]);
  });
});

describe("policy volume-claims-retained", () => {
  const release = (whenDeleted: string) =>
    resource("kubernetes:helm.sh/v3:Release", "kps", {
      values: {
        prometheus: {
          prometheusSpec: {
            persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled: "Retain" },
          },
        },
      },
    });

  it("refuses a retention policy that deletes volumes, naming where", async () => {
    expect(await messages(volumeClaimsRetained, [release("Delete")])).toEqual([
      expect.stringContaining(
        "values.prometheus.prometheusSpec.persistentVolumeClaimRetentionPolicy.whenDeleted",
      ),
    ]);
  });

  it("passes volumes that are retained", async () => {
    expect(await messages(volumeClaimsRetained, [release("Retain")])).toEqual([]);
  });
});
