import { mkdirSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RenderInputs, readRender, renderKey, storeRender } from "../../cluster/helm-cache";
import { tempDir } from "../support/temp";

/** The cache of `helm template` output: keyed by every input of the render, stored whole. */

function inputs(): RenderInputs {
  const dir = tempDir("helm-inputs");
  const chartDir = join(dir, "chart");
  mkdirSync(join(chartDir, "templates"), { recursive: true });
  writeFileSync(join(chartDir, "Chart.yaml"), "name: c\n");
  writeFileSync(join(chartDir, "templates", "a.yaml"), "kind: ConfigMap\n");
  writeFileSync(join(dir, "helm"), "binary");
  writeFileSync(join(dir, "objects.ts"), "export {};\n");
  return {
    chartDir,
    helm: join(dir, "helm"),
    code: [join(dir, "objects.ts")],
    request: { name: "r", namespace: "monitoring", values: { a: 1 }, kubeVersion: "v1.35.4" },
  };
}

describe("renderKey", () => {
  it("changes with a template, a values change, the capabilities, the code and the binary", () => {
    const given = inputs();
    const keys = [renderKey(given)];
    writeFileSync(join(given.chartDir, "templates", "a.yaml"), "kind: Secret\n");
    keys.push(renderKey(given));
    const request = given.request as Record<string, unknown>;
    keys.push(renderKey({ ...given, request: { ...request, values: { a: 2 } } }));
    keys.push(renderKey({ ...given, request: { ...request, kubeVersion: "v1.36.0" } }));
    writeFileSync(given.code[0], "export const changed = 1;\n");
    keys.push(renderKey(given));
    utimesSync(given.helm, new Date(2020, 0, 1), new Date(2020, 0, 1));
    keys.push(renderKey(given));
    expect(new Set(keys).size).toBe(keys.length);
    expect(renderKey(given)).toBe(keys[keys.length - 1]);
  });
});

describe("readRender and storeRender", () => {
  it("return what was stored under the key, nothing for another, and leave no partial file", () => {
    const cacheDir = tempDir("helm-cache");
    expect(readRender("k1", cacheDir)).toBeUndefined();
    storeRender("k1", "---\nkind: ConfigMap\n", cacheDir);
    expect(readRender("k1", cacheDir)).toBe("---\nkind: ConfigMap\n");
    expect(readRender("k2", cacheDir)).toBeUndefined();
    expect(readdirSync(cacheDir)).toEqual(["k1.yaml"]);
  });

  it("drops an entry unused for weeks when another is stored, and keeps one just read", () => {
    const cacheDir = tempDir("helm-cache");
    storeRender("old", "a", cacheDir);
    storeRender("read", "b", cacheDir);
    const longAgo = new Date(Date.now() - 30 * 24 * 3600 * 1000);
    for (const key of ["old", "read"]) {
      utimesSync(join(cacheDir, `${key}.yaml`), longAgo, longAgo);
    }
    expect(readRender("read", cacheDir)).toBe("b");
    storeRender("new", "c", cacheDir);
    expect(readdirSync(cacheDir).sort()).toEqual(["new.yaml", "read.yaml"]);
  });

  it("an unwritable cache costs a render, not the run", () => {
    const notADirectory = join(tempDir("helm-cache"), "file");
    writeFileSync(notADirectory, "");
    expect(() => storeRender("k1", "a", join(notADirectory, "cache"))).not.toThrow();
    expect(readRender("k1", join(notADirectory, "cache"))).toBeUndefined();
  });
});
