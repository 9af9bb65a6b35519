import { types } from "node:util";
import { lazyModule } from "./support/lazy/lazy-module";

// The same helper the Pulumi SDK's compiled modules use for `import * as x from "x"`.
function importStar(mod: Record<string, unknown>): Record<string, unknown> {
  if (mod?.__esModule) return mod;
  const result: Record<string, unknown> = {};
  for (const k in mod) if (Object.hasOwn(mod, k)) result[k] = mod[k];
  result.default = mod;
  return result;
}

describe("a lazily loaded module", () => {
  it("loads the real module on first use, once, not when required", () => {
    let loads = 0;
    const mod = importStar(
      lazyModule(() => {
        loads += 1;
        return { answer: () => 42, name: "real" };
      }) as Record<string, unknown>,
    );
    expect(loads).toBe(0);
    expect((mod.answer as () => number)()).toBe(42);
    expect(mod.name).toBe("real");
    expect(loads).toBe(1);
    expect(Object.keys(mod)).toEqual(["answer", "name"]);
    expect("name" in mod).toBe(true);
  });

  it("stands in for the Pulumi SDK's typescript and arborist under jest, and still works", () => {
    const ts = require("@pulumi/pulumi/typescript-shim");
    const arborist = require("@npmcli/arborist");
    expect(types.isProxy(ts)).toBe(true);
    expect(types.isProxy(arborist)).toBe(true);
    const file = ts.createSourceFile("f.ts", "class A {}", ts.ScriptTarget.Latest);
    expect(ts.isClassDeclaration(file.statements[0])).toBe(true);
    expect(typeof arborist.Arborist).toBe("function");
  });
});
