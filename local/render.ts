import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { TEMPLATES_ARTIFACT_DIR } from "../components/alertmanager/paths";
import { renderAlertmanagerFile } from "../components/alertmanager/render";
import { renderAlertmanagerTemplates } from "../components/alertmanager/templates";
import {
  renderBlackboxModules,
  renderPrometheusConfig,
  type ScrapeTargets,
} from "../components/prometheus/scrape";
import { alertmanagerVersion, supportsWebhookUrlFile } from "../lib/alertmanager-version";
import { ArtifactPath } from "../lib/conventions";
import { localServerCommand } from "../lib/tools";
import { renderArtifacts } from "../scripts/artifacts";
import { address, type Ports } from "./ports";
import { localSecretsDir } from "./secrets";
import { LOG_PIPELINE_METRICS_PATH } from "./simulator/server";
import type { LocalStackConfig } from "./stack-config";

/**
 * Renders the local stack's files into DIR/config through the same renderers as prod (the
 * artifacts registry), then the parts only the local stack has: its scrape targets on loopback,
 * the blackbox module file, and Alertmanager reading secrets from DIR.
 */

export interface RenderedFiles {
  readonly configDir: string;
  readonly prometheusConfig: string;
  readonly alertmanagerConfig: string;
  readonly blackboxConfig: string;
}

function write(dir: string, path: string, content: string): string {
  const file = join(dir, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

export function localTargets(ports: Ports): ScrapeTargets {
  return {
    prometheus: address(ports.prometheus),
    alertmanager: address(ports.alertmanager),
    port8000: { address: address(ports.simulator), metricsPath: "/metrics" },
    logPipeline: { address: address(ports.simulator), metricsPath: LOG_PIPELINE_METRICS_PATH },
    node: address(ports.nodeExporter),
    blackbox: address(ports.blackboxExporter),
  };
}

export function renderLocalFiles(
  stateDir: string,
  local: LocalStackConfig,
  ports: Ports,
  timeScale: number,
): RenderedFiles {
  const configDir = join(stateDir, "config");
  const { config } = local;
  for (const [path, content] of Object.entries(renderArtifacts(config, { timeScale }))) {
    write(configDir, path, content);
  }
  for (const [name, content] of Object.entries(renderAlertmanagerTemplates())) {
    write(configDir, `${TEMPLATES_ARTIFACT_DIR}/${name}`, content);
  }
  const prometheus = renderPrometheusConfig(config, { timeScale, targets: localTargets(ports) });
  const alertmanager = renderAlertmanagerFile(config, {
    timeScale,
    secretsDir: localSecretsDir(stateDir),
    templatesDir: join(configDir, TEMPLATES_ARTIFACT_DIR),
    heartbeatUrlInline: supportsWebhookUrlFile(
      alertmanagerVersion(localServerCommand("alertmanager").command),
    )
      ? undefined
      : local.secrets.heartbeatUrl,
  });
  return {
    configDir,
    prometheusConfig: write(configDir, ArtifactPath.prometheus, prometheus),
    alertmanagerConfig: write(configDir, ArtifactPath.alertmanager, alertmanager),
    blackboxConfig: write(configDir, "blackbox/blackbox.yml", renderBlackboxModules(timeScale)),
  };
}
