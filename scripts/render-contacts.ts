import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fromEngineConfig, parseStackConfig } from "../components/config/parse";
import { renderRunbookDocs } from "../components/pagerduty/contacts";
import { readStackFile } from "./stack-file";

/**
 * `npm run docs:contacts`: writes docs/runbooks/contacts.md and the runbooks' "Escalate to"
 * blocks from `escalation` in Pulumi.prod.yaml (the stack people are paged by).
 */

const ROOT = join(__dirname, "..");
const RUNBOOKS = join(ROOT, "docs", "runbooks");

export function prodEscalationDocs(): Record<string, string> {
  const file = readStackFile(join(ROOT, "Pulumi.prod.yaml"));
  const { raw, secrets } = fromEngineConfig(file.config, file.secretKeys);
  const parsed = parseStackConfig(raw, secrets);
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  if (!parsed.config.escalation) throw new Error("escalation: not set in Pulumi.prod.yaml");
  return renderRunbookDocs(parsed.config.escalation, (f) =>
    readFileSync(join(RUNBOOKS, f), "utf8"),
  );
}

if (require.main === module) {
  for (const [file, content] of Object.entries(prodEscalationDocs())) {
    writeFileSync(join(RUNBOOKS, file), content);
    process.stdout.write(`wrote docs/runbooks/${file}\n`);
  }
}
