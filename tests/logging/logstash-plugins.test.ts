import { deadLetterPipeline, logstashPipeline } from "../../components/logging/logstash";
import { declaredOptions, parsePipeline, pipelineProblems } from "../support/logstash-plugins";
import { configOf } from "./support";

const config = configOf("prod");

describe("the Logstash pipelines against the plugins Logstash 8.9.0 bundles", () => {
  it.each([
    ["port8000", logstashPipeline, ["beats", "opensearch", "s3"]],
    ["dead-letter", deadLetterPipeline, ["dead_letter_queue", "s3"]],
  ])("%s sets only declared, current values of its plugins' options", (_, render, plugins) => {
    const pipeline = render(config);
    const io = parsePipeline(pipeline).blocks.filter((b) => b.section !== "filter");
    expect(io.map((b) => b.plugin)).toEqual(plugins);
    expect(pipelineProblems(pipeline)).toEqual([]);
  });

  it("reads the plugins' declarations: deprecations and listed values", () => {
    const beats = declaredOptions("beats");
    expect([beats.get("ssl_enabled"), beats.get("ssl"), beats.get("ssl_verify_mode")]).toEqual([
      { status: "current" },
      { status: "deprecated" },
      { status: "deprecated", allowed: ["none", "peer", "force_peer"] },
    ]);
    expect(beats.get("ssl_client_authentication")?.allowed).toEqual([
      "none",
      "optional",
      "required",
    ]);
    // logstash-output-opensearch declares its connection options in a CONFIG_PARAMS hash.
    expect(declaredOptions("opensearch").get("cacert")?.status).toBe("current");
  });

  it("names misspelt, deprecated and unknown options, bad values and unknown plugins", () => {
    const pipeline = [
      "input {",
      "  beats {",
      "    ssl => true",
      '    ssl_sertificate => "/certs/tls.crt"',
      '    ssl_client_authentication => "force_peer"',
      "  }",
      "}",
      "output {",
      '  if [log_kind] == "json" {',
      "    elasticsearch {",
      '      hosts => ["https://x:9200"]',
      "    }",
      "  } else {",
      "    s3 {",
      '      rotation_strategy => "hourly"',
      "    }",
      "  }",
      "}",
    ].join("\n");
    expect(pipelineProblems(pipeline)).toEqual([
      "input beats: ssl is deprecated",
      "input beats: ssl_sertificate is not an option",
      'input beats: ssl_client_authentication => "force_peer" is not one of none, optional, required',
      "output elasticsearch: not a vendored plugin",
      'output s3: rotation_strategy => "hourly" is not one of size_and_time, size, time',
    ]);
  });

  it("refuses what it cannot read rather than passing it", () => {
    expect(pipelineProblems("input { beats { bogus => 1 } }")).toEqual([
      'line 1: cannot place "input { beats { bogus => 1 } }"',
    ]);
    expect(pipelineProblems("output {\n  s3 {\n")).toEqual(["unclosed section > plugin"]);
  });
});
