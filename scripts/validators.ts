import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import yaml from "js-yaml";
import { TEMPLATES_ARTIFACT_DIR } from "../components/alertmanager/paths";
import { ArtifactPath } from "../lib/conventions";
import { runTool, type ToolName } from "../lib/tools";
import { dashboardValidator } from "./dashboard-validator";

export { MissingTool } from "../lib/tools";

/** Real validators (promtool, amtool, schemas) judging rendered artifacts on disk. */

export interface Validation {
  readonly validator: string;
  readonly file: string;
  readonly ok: boolean;
  readonly output: string;
}

export interface Validator {
  readonly name: string;
  /** Relative artifact paths this validator judges. */
  readonly applies: (path: string) => boolean;
  readonly validate: (dir: string, path: string) => Validation;
}

export function toolValidator(
  name: string,
  applies: (path: string) => boolean,
  args: (file: string) => [ToolName, string[]],
): Validator {
  return {
    name,
    applies,
    validate: (dir, path) => {
      const [tool, toolArgs] = args(resolve(dir, path));
      const { ok, output } = runTool(tool, toolArgs, dir);
      return { validator: name, file: path, ok, output };
    },
  };
}

/**
 * amtool with the rendered templates: the config names them at their in-cluster path, so the
 * check runs on a copy that points at the templates synth wrote beside it.
 */
const alertmanagerValidator: Validator = {
  name: "amtool check-config",
  applies: (path) => path === ArtifactPath.alertmanager,
  validate: (dir, path) => {
    const config = yaml.load(readFileSync(resolve(dir, path), "utf8")) as Record<string, unknown>;
    config.templates = [resolve(dir, TEMPLATES_ARTIFACT_DIR, "*.tmpl")];
    const scratch = mkdtempSync(join(tmpdir(), "amtool-"));
    try {
      const file = join(scratch, "alertmanager.yml");
      writeFileSync(file, yaml.dump(config));
      const { ok, output } = runTool("amtool", ["check-config", file], dir);
      return { validator: "amtool check-config", file: path, ok, output };
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};

/** Each area adds its validator here. */
const VALIDATORS: readonly Validator[] = [
  toolValidator(
    "promtool check config",
    (path) => path === ArtifactPath.prometheus,
    (file) => ["promtool", ["check", "config", file]],
  ),
  toolValidator(
    "promtool check rules",
    (path) => path === ArtifactPath.rules,
    (file) => ["promtool", ["check", "rules", file]],
  ),
  alertmanagerValidator,
  dashboardValidator(runTool),
];

export function validateArtifacts(dir: string, paths: readonly string[]): Validation[] {
  return paths.flatMap((path) =>
    VALIDATORS.filter((v) => v.applies(path)).map((v) => v.validate(dir, path)),
  );
}
