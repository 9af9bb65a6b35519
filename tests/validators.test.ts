import { appendFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ArtifactPath } from "../lib/conventions";
import { renderArtifacts } from "../scripts/artifacts";
import { parseStackFileConfig, writeArtifacts } from "../scripts/synth-lib";
import { validateArtifacts } from "../scripts/validators";
import { stackFile } from "./support/program";
import { tempDir } from "./support/temp";

function renderProd(): string {
  const out = join(tempDir("validators"), "prod");
  writeArtifacts(out, renderArtifacts(parseStackFileConfig("prod", stackFile("prod"))));
  return out;
}

const amtool = (out: string) =>
  validateArtifacts(out, [ArtifactPath.alertmanager]).find(
    (v) => v.validator === "amtool check-config",
  );

describe("synth's validators", () => {
  it("check the Alertmanager config together with the templates rendered beside it", () => {
    const result = amtool(renderProd());
    expect(result?.ok).toBe(true);
    expect(result?.output).toMatch(/\d+ templates/);
    expect(result?.output).not.toMatch(/ 0 templates/);
  });

  it("fail on a broken template, not only on a broken config", () => {
    const out = renderProd();
    const dir = join(out, "alertmanager", "templates");
    appendFileSync(join(dir, readdirSync(dir)[0]), '\n{{ define "broken" }}{{ .Foo ');
    const result = amtool(out);
    expect(result?.ok).toBe(false);
    expect(result?.output).toMatch(/template/i);
  });
});
