/**
 * A reader of Logstash's pipeline configuration language (sections, conditionals, plugins and
 * their settings: strings with config.support_escapes, numbers, barewords, arrays, hashes).
 */

export type Value = string | number | boolean | Value[] | { [key: string]: Value };
export type Hash = Record<string, Value>;
export interface Plugin {
  kind: "plugin";
  name: string;
  settings: Hash;
}
export interface Conditional {
  kind: "if";
  condition: string;
  body: Statement[];
}
export type Statement = Plugin | Conditional;

export class ConfigParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  private skip(): void {
    for (;;) {
      const rest = this.text.slice(this.pos);
      const m = /^(\s+|#[^\n]*)/.exec(rest);
      if (!m) return;
      this.pos += m[0].length;
    }
  }
  private eat(token: string): boolean {
    this.skip();
    if (!this.text.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }
  private expect(token: string): void {
    if (!this.eat(token))
      throw new Error(`expected ${token} at ${this.text.slice(this.pos, this.pos + 40)}`);
  }
  private word(): string {
    this.skip();
    const m = /^[A-Za-z0-9_@.\-/]+/.exec(this.text.slice(this.pos));
    if (!m) throw new Error(`expected a name at ${this.text.slice(this.pos, this.pos + 40)}`);
    this.pos += m[0].length;
    return m[0];
  }
  private string(): string {
    this.expect('"');
    let out = "";
    for (;;) {
      const c = this.text[this.pos++];
      if (c === undefined) throw new Error("unterminated string");
      if (c === '"') return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.text[this.pos++];
      out += e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : e;
    }
  }
  private value(): Value {
    this.skip();
    const c = this.text[this.pos];
    if (c === '"') return this.string();
    if (c === "[") {
      this.pos++;
      const items: Value[] = [];
      while (!this.eat("]")) {
        items.push(this.value());
        this.eat(",");
      }
      return items;
    }
    if (c === "{") return this.hash();
    const word = this.word();
    if (/^-?\d+(\.\d+)?$/.test(word)) return Number(word);
    return word === "true" ? true : word === "false" ? false : word;
  }
  private hash(): Hash {
    this.expect("{");
    const out: Hash = {};
    while (!this.eat("}")) {
      this.skip();
      const key = this.text[this.pos] === '"' ? this.string() : this.word();
      this.expect("=>");
      out[key] = this.value();
    }
    return out;
  }
  statements(): Statement[] {
    const out: Statement[] = [];
    for (;;) {
      this.skip();
      if (this.pos >= this.text.length || this.text[this.pos] === "}") return out;
      if (this.text.startsWith("if ", this.pos)) {
        const open = this.text.indexOf("{", this.pos);
        const condition = this.text.slice(this.pos + 3, open).trim();
        this.pos = open + 1;
        const body = this.statements();
        this.expect("}");
        if (/^\s*else/.test(this.text.slice(this.pos))) throw new Error("else is not modelled");
        out.push({ kind: "if", condition, body });
      } else {
        const name = this.word();
        out.push({ kind: "plugin", name, settings: this.hash() });
      }
    }
  }
  section(name: string): Statement[] {
    const start = new RegExp(`^${name} \\{`, "m").exec(this.text);
    if (!start) throw new Error(`no ${name} section`);
    this.pos = start.index + start[0].length;
    const body = this.statements();
    this.expect("}");
    return body;
  }
}
