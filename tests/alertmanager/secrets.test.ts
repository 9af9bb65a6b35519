import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { alertmanagerHelmValues } from "../../components/alertmanager/helm-values";
import {
  neededReceiverSecrets,
  receiverSecretsFromStackConfig,
  writeLocalAlertmanager,
} from "../../components/alertmanager/local";
import { ReceiverSecretFile } from "../../components/alertmanager/paths";
import { SECRET_KEYS } from "../../components/config/secrets";
import { PROJECT } from "../../lib/conventions";
import { renderArtifacts } from "../../scripts/artifacts";
import { amtool, STACKS, stackConfig, stackFile, tempDir } from "./support";

/** Plaintext secret values of a stack file (the local stack stores fakes in clear). */
function secretValues(stack: string): string[] {
  const file = stackFile(stack);
  return SECRET_KEYS.map((k) => file.config[`${PROJECT}:${k}`]).filter((v): v is string =>
    Boolean(v),
  );
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? allFiles(path) : [path];
  });
}

describe("no secret value in rendered files", () => {
  it("the local stack has plaintext fakes to look for", () => {
    expect(secretValues("local")).toEqual(
      expect.arrayContaining(["local-fake-routing-key", "local-fake-automation-token"]),
    );
  });

  it.each(STACKS)("no secret of the %s stack appears in any synth artifact", (stack) => {
    const values = secretValues(stack);
    expect(values.length).toBeGreaterThan(0);
    const artifacts = renderArtifacts(stackConfig(stack), { timeScale: 1 });
    const helm = JSON.stringify(alertmanagerHelmValues(stackConfig(stack)));
    for (const content of [...Object.values(artifacts), helm]) {
      for (const value of values) expect(content).not.toContain(value);
    }
  });

  it("the local Alertmanager reads its credentials only from 0600 files", () => {
    const dir = tempDir("am-local");
    const config = stackConfig("local");
    const secrets = receiverSecretsFromStackConfig(stackFile("local").config);
    const configFile = writeLocalAlertmanager(config, dir, { timeScale: 10, secrets });
    expect(amtool(["check-config", configFile]).ok).toBe(true);

    const rendered = allFiles(dir).filter((f) => !f.includes(`${dir}/secrets/`));
    for (const file of rendered)
      for (const value of secretValues("local"))
        expect(readFileSync(file, "utf8")).not.toContain(value);

    for (const key of neededReceiverSecrets(config)) {
      const path = join(dir, "secrets", ReceiverSecretFile[key]);
      expect(readFileSync(path, "utf8")).toBe(secrets[key]);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(configFile, "utf8")).toContain(path);
    }
  });

  it("refuses to write local secrets when one the config reads is missing", () => {
    expect(() =>
      writeLocalAlertmanager(stackConfig("local"), tempDir("am-missing"), {
        timeScale: 1,
        secrets: { pagerdutyRoutingKey: "x" },
      }),
    ).toThrow(/missing receiver secrets: pagerdutyInfraLeadRoutingKey/);
  });
});
