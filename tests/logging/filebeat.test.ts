import yaml from "js-yaml";
import { LoggingArtifact } from "../../components/logging/names";
import { renderArtifacts } from "../../scripts/artifacts";
import { parseStackFileConfig } from "../../scripts/synth-lib";
import { stackFile } from "../support/program";
import {
  CONTAINER_ID,
  type FilebeatYaml,
  filebeatEvent,
  kubernetesLookupKeys,
  samplePath,
} from "./filebeat-events";

/**
 * add_kubernetes_metadata finds a container log's pod through a logs_path matcher: the
 * container indexer knows pods by container ID, and the matcher cuts that ID out of
 * log.file.path. Filebeat's default matcher reads /var/lib/docker/containers/ only.
 */

const config = parseStackFileConfig("prod", stackFile("prod"));
const filebeat = yaml.load(renderArtifacts(config)[LoggingArtifact.filebeat]) as FilebeatYaml;
const containerInputs = filebeat["filebeat.inputs"].filter((i) =>
  i.parsers?.some((p) => "container" in p),
);
const kubernetesProcessor = () => {
  const found = (filebeat.processors ?? []).find((p) => "add_kubernetes_metadata" in p);
  if (!found) throw new Error("no add_kubernetes_metadata processor");
  return found.add_kubernetes_metadata;
};

describe("Kubernetes metadata on container logs", () => {
  it("there are container inputs to check", () => {
    expect(containerInputs.map((i) => i.id)).toEqual(["monitoring-pods"]);
  });

  it.each(containerInputs.flatMap((i) => (i.paths ?? []).map((p) => [i.id, p, i] as const)))(
    "%s: a matcher's logs_path prefixes %s and yields the file's container ID",
    (_id, glob, input) => {
      const path = samplePath(input, glob);
      expect(path.endsWith(`-${CONTAINER_ID}.log`)).toBe(true);
      expect(kubernetesLookupKeys(kubernetesProcessor(), path)).toContain(CONTAINER_ID);
    },
  );

  it("so their events carry the pod's namespace, pod and container names", () => {
    for (const input of containerInputs) {
      const event = filebeatEvent(filebeat, input, "level=info msg=ready");
      expect(event.kubernetes).toMatchObject({
        namespace: expect.any(String),
        pod: { name: expect.any(String) },
        container: { name: expect.any(String) },
      });
    }
  });

  it("host files match no matcher, so they get no pod's metadata", () => {
    for (const input of filebeat["filebeat.inputs"].filter((i) => i.type === "filestream")) {
      if (containerInputs.includes(input)) continue;
      for (const glob of input.paths ?? [])
        expect(kubernetesLookupKeys(kubernetesProcessor(), samplePath(input, glob))).toEqual([]);
    }
  });
});
