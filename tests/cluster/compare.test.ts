import { compareStored } from "../../cluster/apply";

/** How an applied object is compared with what the API server stored and returned. */

describe("compareStored", () => {
  it("names a field the server pruned, at any depth", () => {
    const sent = { spec: { template: { spec: { containers: [{ name: "c", snake_case: 1 }] } } } };
    const stored = { spec: { template: { spec: { containers: [{ name: "c" }] } } } };
    expect(compareStored(sent, stored).lost).toEqual([
      ".spec.template.spec.containers[0].snake_case",
    ]);
  });

  it("names a value the server stored differently, but not a quantity in canonical form", () => {
    const sent = { spec: { policy: "Local", resources: { limits: { cpu: "1000m" } } } };
    const stored = { spec: { policy: "Cluster", resources: { limits: { cpu: "1" } } } };
    expect(compareStored(sent, stored).rewritten).toEqual(['.spec.policy: "Local" → "Cluster"']);
  });

  it("ignores what the server adds and the empty values it omits", () => {
    const sent = { metadata: { name: "x", annotations: null }, spec: { args: [], env: {} } };
    const stored = { metadata: { name: "x", uid: "1" }, spec: { replicas: 1 } };
    expect(compareStored(sent, stored)).toEqual({ lost: [], rewritten: [] });
  });
});
