import { loadConfig } from "./components/config";
import { MonitoringNamespace } from "./components/namespace";
import { createProviders } from "./components/providers";

// Composition root: config → components → stack outputs. Nothing else belongs here.
const { config, secrets } = loadConfig();
const providers = createProviders(config, secrets);

const namespace = new MonitoringNamespace(
  "monitoring",
  { config },
  { providers: [providers.kubernetes] },
);

export const monitoringNamespace = namespace.name;
export const environment = config.deployment.environment;
