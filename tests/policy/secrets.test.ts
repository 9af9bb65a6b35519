import { SECRET_PLACEHOLDER } from "../../lib/conventions";
import { stackRecord } from "../../policy/recorded";
import {
  noSecretInConfigMap,
  noSecretInHelmValues,
  noSecretInPlainOutput,
  secretFindings,
} from "../../policy/secrets";
import { messages, resource } from "./support";

const SLACK = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX";

describe("secret detection", () => {
  it.each([
    ["a Pulumi secret synth masked", { url: SECRET_PLACEHOLDER }, "url: a Pulumi secret"],
    ["a Slack webhook", { note: SLACK }, "note: a Slack webhook URL"],
    ["a literal routing key", { routing_key: "R0123" }, "routing_key: a literal routing_key"],
    ["a password in a URL", { dsn: "smtp://user:hunter2@mail" }, "dsn: credentials in a URL"],
  ])("finds %s", (_, value, finding) => {
    expect(secretFindings(value)).toEqual([finding]);
  });

  it.each([
    ["a reference to a mounted file", { routing_key_file: "/etc/secrets/key" }],
    ["a template", { api_url: "{{ .Values.url }}" }],
    ["a secret's name", { secretName: "alertmanager-receivers" }],
  ])("leaves %s alone", (_, value) => {
    expect(secretFindings(value)).toEqual([]);
  });
});

describe("policy no-secret-in-configmap", () => {
  const configMap = (data: Record<string, string>) =>
    resource("kubernetes:core/v1:ConfigMap", "cm", { data });

  it("refuses a token in a ConfigMap", async () => {
    expect(await messages(noSecretInConfigMap, [configMap({ token: "abc123" })])).toEqual([
      "ConfigMap cm: data.token: a literal token",
    ]);
  });

  it("passes a ConfigMap of plain settings", async () => {
    expect(await messages(noSecretInConfigMap, [configMap({ level: "info" })])).toEqual([]);
  });
});

describe("policy no-secret-in-helm-values", () => {
  const release = (slack: Record<string, string>) =>
    resource("kubernetes:helm.sh/v3:Release", "kps", {
      values: { alertmanager: { config: { receivers: [{ slack_configs: [slack] }] } } },
    });

  it("refuses a Slack webhook inlined in the values", async () => {
    expect(await messages(noSecretInHelmValues, [release({ api_url: SLACK })])).toEqual([
      expect.stringContaining("alertmanager.config.receivers.0.slack_configs.0.api_url"),
    ]);
  });

  it("passes a webhook read from a mounted Secret", async () => {
    const fromFile = { api_url_file: "/etc/alertmanager/secrets/receivers/slack" };
    expect(await messages(noSecretInHelmValues, [release(fromFile)])).toEqual([]);
  });
});

describe("policy no-secret-in-plain-output", () => {
  it("refuses a credential in a plain output", async () => {
    expect(await messages(noSecretInPlainOutput, [stackRecord({ webhook: SLACK })])).toEqual([
      "stack output webhook: value: a Slack webhook URL",
    ]);
  });

  it("passes outputs that are Pulumi secrets or plain names", async () => {
    const outputs = { webhook: SECRET_PLACEHOLDER, bucket: "deia-archive" };
    expect(await messages(noSecretInPlainOutput, [stackRecord(outputs)])).toEqual([]);
  });
});
