import { deadLetterPipeline, logstashPipeline } from "../../components/logging/logstash";
import { declaredOptions, pipelineProblems } from "../support/logstash-plugins";
import { configOf } from "./support";

describe("the Logstash pipelines against the plugins Logstash 8.9.0 bundles", () => {
  it.each([
    ["port8000", logstashPipeline],
    ["dead-letter", deadLetterPipeline],
  ])("%s sets only options its input and output plugins declare, none deprecated", (_, render) => {
    expect(pipelineProblems(render(configOf("prod")))).toEqual([]);
  });

  it("reads the plugins' declarations, deprecations included", () => {
    const beats = declaredOptions("beats");
    expect([beats.get("ssl_enabled"), beats.get("ssl"), beats.get("ssl_verify_mode")]).toEqual([
      "current",
      "deprecated",
      "deprecated",
    ]);
    // logstash-output-opensearch declares its connection options in a CONFIG_PARAMS hash.
    expect(declaredOptions("opensearch").get("cacert")).toBe("current");
  });

  it("names a misspelt, deprecated or unknown plugin option", () => {
    const pipeline = [
      "input {",
      "  beats {",
      "    ssl => true",
      '    ssl_sertificate => "/certs/tls.crt"',
      "  }",
      "}",
      "output {",
      "  elasticsearch {",
      '    hosts => ["https://x:9200"]',
      "  }",
      "}",
    ].join("\n");
    expect(pipelineProblems(pipeline)).toEqual([
      "input beats: ssl is deprecated",
      "input beats: ssl_sertificate is not an option",
      "output elasticsearch: not a vendored plugin",
    ]);
  });
});
