import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { githubAnchor } from "../../alerts";
import { alertingRules, committedRules, RUNBOOKS, stackConfig } from "./support";

const BASE = stackConfig("prod").links.runbookBaseUrl;
// contacts.md is the generated contact matrix (npm run docs:contacts), not an alert's runbook.
const NOT_RUNBOOKS = ["README.md", "contacts.md"];
const FILES = readdirSync(RUNBOOKS).filter((f) => f.endsWith(".md") && !NOT_RUNBOOKS.includes(f));
const text = (file: string) => readFileSync(join(RUNBOOKS, file), "utf8");

/** Anchors GitHub gives a file's headings, with -1, -2 … for repeated ones. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of markdown.replace(/```[\s\S]*?```/g, "").matchAll(/^#{1,6} (.+)$/gm)) {
    const base = githubAnchor(heading.replace(/`/g, ""));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

describe("runbook links", () => {
  const urls = [...new Set(alertingRules(committedRules()).map((r) => r.annotations.runbook_url))];

  it.each(urls)("%s points at an existing file and heading", (url) => {
    expect(url.startsWith(`${BASE}/`)).toBe(true);
    const [file, anchor] = url.slice(BASE.length + 1).split("#");
    expect(existsSync(join(RUNBOOKS, file))).toBe(true);
    expect([...anchors(text(file))]).toContain(anchor);
  });

  it("computes GitHub's anchors", () => {
    expect(githubAnchor("Port8000HighErrorRate")).toBe("port8000higherrorrate");
    expect(githubAnchor("Dependencies: Ollama and database")).toBe(
      "dependencies-ollama-and-database",
    );
    expect([...anchors("## Meaning\n## Meaning\n")]).toEqual(["meaning", "meaning-1"]);
  });
});

describe("runbook files", () => {
  it.each(FILES)("%s has Meaning, Impact, Diagnosis, Mitigation and Escalation", (file) => {
    const headings = [...text(file).matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual(["Meaning", "Impact", "Diagnosis", "Mitigation", "Escalation"]);
  });

  it("are all listed in the README, and every README link exists", () => {
    const links = [...text("README.md").matchAll(/\]\(([\w-]+\.md)\)/g)].map((m) => m[1]);
    expect([...new Set(links)].sort()).toEqual([...FILES, "contacts.md"].sort());
  });

  it("each serve at least one alert", () => {
    const used = new Set(
      alertingRules(committedRules()).map(
        (r) => r.annotations.runbook_url.split("/").pop()?.split("#")[0],
      ),
    );
    expect(FILES.filter((f) => !used.has(f))).toEqual([]);
  });
});
