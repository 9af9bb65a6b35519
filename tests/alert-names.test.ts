import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alertNames } from "../alerts/render";
import { ALERT_NAMES, AlertName } from "../lib/alert-names";
import { stackConfig } from "./alerts/support";
import { literalsOf, spelledAlertNames } from "./support/alert-name-literals";
import { ROOT } from "./support/program";

// docs/architecture.md: every alert name has one home, lib/alert-names.ts.

describe("the alert-name registry", () => {
  it("registers each alert of every stack's rules, and nothing without a rule", () => {
    const ruled = new Set(["prod", "dr", "local"].flatMap((s) => alertNames(stackConfig(s))));
    expect([...ALERT_NAMES].sort()).toEqual([...ruled].sort());
  });

  it("keys each name by itself, once", () => {
    expect(Object.entries(AlertName).filter(([key, name]) => key !== name)).toEqual([]);
    expect(new Set(ALERT_NAMES).size).toBe(ALERT_NAMES.length);
  });

  it("holds every alert of the contract table in docs/architecture.md", () => {
    const doc = readFileSync(join(ROOT, "docs", "architecture.md"), "utf8");
    const table = doc.slice(doc.indexOf("| alert | warning | critical |"));
    const rows = table.slice(0, table.indexOf("\n\n")).split("\n").slice(2);
    const documented = rows.map((row) => row.split("|")[1].trim());
    expect(documented).toContain("HostDiskSpaceLow");
    expect(documented.filter((name) => !(ALERT_NAMES as readonly string[]).includes(name))).toEqual(
      [],
    );
  });
});

describe("alert names spelled outside the registry", () => {
  it("finds names in strings and template parts, not in comments", () => {
    const text = [
      "// HostDiskSpaceLow in a comment",
      'const a = "HostDiskSpaceLow";',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
      "const b = `${a} and Port8000Down|Watchdog`;",
      'const c = "Port8000DownTime HostDiskSpaceLowish";',
    ].join("\n");
    expect(literalsOf("x.ts", text).map((l) => [l.line, l.text])).toEqual([
      [2, "HostDiskSpaceLow"],
      [3, ""],
      [3, " and Port8000Down|Watchdog"],
      [4, "Port8000DownTime HostDiskSpaceLowish"],
    ]);
  });

  it("are none in the program's source (tests and docs may spell them)", () => {
    expect(spelledAlertNames(ROOT, ALERT_NAMES)).toEqual([]);
  });

  it("fails naming the file and line of a planted one", () => {
    const root = mkdtempSync(join(tmpdir(), "port8000-alert-names-"));
    try {
      for (const dir of ["lib", "ops", "tests", "docs"]) mkdirSync(join(root, dir));
      const registry = 'export const AlertName = { HostDiskSpaceLow: "HostDiskSpaceLow" };\n';
      writeFileSync(join(root, "lib", "alert-names.ts"), registry);
      writeFileSync(join(root, "tests", "x.test.ts"), 'const n = "HostDiskSpaceLow";\n');
      writeFileSync(join(root, "docs", "x.ts"), 'const n = "HostDiskSpaceLow";\n');
      writeFileSync(
        join(root, "ops", "dedupe.ts"),
        '// HostDiskSpaceLow\nconst q = `ALERTS{alertname="HostDiskSpaceLow"}`;\n',
      );
      expect(spelledAlertNames(root, ALERT_NAMES)).toEqual([
        { file: "ops/dedupe.ts", line: 2, name: "HostDiskSpaceLow" },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
