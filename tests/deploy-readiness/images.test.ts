import { fromEngineConfig, parseStackConfig } from "../../components/config/parse";
import { PROJECT } from "../../lib/conventions";
import type { ProgramRun } from "../../scripts/mock-runtime";
import { named, runStack, stackFile, withConfig } from "../support/program";

// biome-ignore lint/suspicious/noExplicitAny: recorded inputs are untyped JSON, read by path.
type Json = any;

/** `name[:tag]@sha256:<64 hex>`: the registry can move a tag, never a digest. */
const PINNED = /^[a-z0-9./-]+(:[\w.-]+)?@sha256:[0-9a-f]{64}$/;
const PACKAGE_MANAGERS = /\b(apk|apt|apt-get|yum|dnf|microdnf|pip|npm|curl|wget)\b/;

function automationProblems(automation: Record<string, unknown>): string[] {
  const prod = stackFile("prod");
  const alerting = JSON.parse(prod.config[`${PROJECT}:alerting`]);
  const file = withConfig(prod, { alerting: { ...alerting, automation } });
  const { raw, secrets } = fromEngineConfig(file.config, file.secretKeys);
  const result = parseStackConfig(raw, secrets);
  return result.ok ? [] : result.problems;
}

describe("images the program sets", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runStack("prod");
  });
  const podSpecs = () => [
    (named(run, "automation-deployment").inputs as Json).spec.template.spec,
    (named(run, "automation-log-rotation").inputs as Json).spec.jobTemplate.spec.template.spec,
  ];

  it("are pinned by digest", () => {
    const images = podSpecs().flatMap((pod) => pod.containers.map((c: Json) => c.image));
    expect(images).toHaveLength(2);
    for (const image of images) expect(image).toMatch(PINNED);
  });

  it("are refused unpinned, naming the key", () => {
    expect(automationProblems({ image: "node:24-alpine" })).toEqual([
      expect.stringMatching(/^alerting\.automation\.image \("node:24-alpine"\): .*@sha256:/),
    ]);
    expect(automationProblems({ logRotationImage: "alpine:3.20" })).toEqual([
      expect.stringMatching(/^alerting\.automation\.logRotationImage \("alpine:3.20"\): /),
    ]);
  });
});

describe("the log-rotation Job during a disk incident", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runStack("prod");
  });
  const jobPod = () =>
    (named(run, "automation-log-rotation").inputs as Json).spec.jobTemplate.spec.template.spec;

  it("installs nothing from the network", () => {
    const [container] = jobPod().containers;
    const words = [...(container.command ?? []), ...(container.args ?? [])].join(" ");
    expect(words).not.toMatch(PACKAGE_MANAGERS);
    expect(PACKAGE_MANAGERS.test("apk add --no-cache logrotate")).toBe(true);
  });

  it("runs the node's own logrotate (its binary, configs and state) through chroot", () => {
    const pod = jobPod();
    const [container] = pod.containers;
    const host = container.volumeMounts.find((m: Json) => m.mountPath === "/host");
    const volume = pod.volumes.find((v: Json) => v.name === host?.name);
    expect(volume?.hostPath).toMatchObject({ path: "/", type: "Directory" });
    expect(container.command).toEqual([
      "chroot",
      "/host",
      "logrotate",
      "-f",
      "/etc/logrotate.d/port8000",
    ]);
  });
});
