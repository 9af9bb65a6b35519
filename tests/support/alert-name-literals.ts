import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

/**
 * Where a source file spells an alert name inside a string or template literal instead of
 * importing it from the registry (lib/alert-names.ts). Comments are not literals, so prose
 * about an alert stays free.
 */

export interface SpelledName {
  readonly file: string;
  readonly line: number;
  readonly name: string;
}

/** Trees that are not the program's source: tests and docs may spell names on purpose. */
const NOT_SOURCE = new Set(["node_modules", "tests", "docs", "vendor", "out", "bin"]);
export const REGISTRY_FILE = "lib/alert-names.ts";

function sourceFiles(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((entry) => {
    if (entry.startsWith(".") || (dir === root && NOT_SOURCE.has(entry))) return [];
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(root, path);
    return path.endsWith(".ts") ? [relative(root, path)] : [];
  });
}

const LITERALS = new Set([
  ts.SyntaxKind.StringLiteral,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral,
  ts.SyntaxKind.TemplateHead,
  ts.SyntaxKind.TemplateMiddle,
  ts.SyntaxKind.TemplateTail,
]);

/** The text of every string and template literal of a source, with its 1-based line. */
export function literalsOf(file: string, text: string): { line: number; text: string }[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: { line: number; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (LITERALS.has(node.kind)) {
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      found.push({ line, text: (node as ts.LiteralLikeNode).text });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * Each registered name spelled in a literal of a source file under root, but the registry's. Only
 * a file whose text holds a name anywhere can hold it in a literal: the others are not parsed.
 */
export function spelledAlertNames(root: string, names: readonly string[]): SpelledName[] {
  const word = new RegExp(`\\b(${names.join("|")})\\b`, "g");
  const mentionsAny = new RegExp(word.source);
  return sourceFiles(root)
    .filter((file) => file !== REGISTRY_FILE)
    .sort()
    .map((file) => ({ file, text: readFileSync(join(root, file), "utf8") }))
    .filter(({ text }) => mentionsAny.test(text))
    .flatMap(({ file, text }) =>
      literalsOf(file, text).flatMap(({ line, text: literal }) =>
        [...literal.matchAll(word)].map((match) => ({ file, line, name: match[1] })),
      ),
    );
}
