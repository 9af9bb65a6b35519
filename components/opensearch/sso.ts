import { GENERATED_HEADER, toSortedYaml } from "../../lib/serialize";
import type { StackConfig } from "../config/schema";

/**
 * Sign-in to OpenSearch (guide 1.2 access rules): the program's users with HTTP basic against
 * the internal user database, people through the organisation's OpenID Connect provider, whose
 * roles claim carries their team names (the role mappings' backend roles).
 *
 * Only config.yml is rendered: the operator's update Job applies just the files its secret
 * holds, and roles and mappings are operator resources that roles.yml or roles_mapping.yml
 * would overwrite. The operator adds its own internal_users.yml, so every run of that Job
 * (a config.yml or password change) drops the resource-created users until the operator
 * re-creates them, within 30 s (docs/logging.md).
 */

export const SECURITY_CONFIG_FILE = "config.yml";
/** The Dashboards pod's variable for the client secret; the YAML names it, never the value. */
export const OIDC_SECRET_ENV = "OPENID_CLIENT_SECRET";
export const OIDC_SECRET_KEY = "client_secret";
/** The key (a random Pulumi secret) Dashboards encrypts its session cookies with. */
export const COOKIE_SECRET_ENV = "OPENSEARCH_COOKIE_PASSWORD";
export const COOKIE_SECRET_KEY = "cookie_password";

export function securityConfig(config: StackConfig) {
  const sso = config.logging.opensearch.sso;
  const basic = {
    description: "The admin and the program users (Logstash, the evidence poller, Grafana)",
    http_enabled: true,
    transport_enabled: true,
    order: 0,
    // With SSO, no challenge: a browser without credentials goes on to the OpenID domain.
    http_authenticator: { type: "basic", challenge: !sso },
    authentication_backend: { type: "intern" },
  };
  const openid = sso && {
    description: "People, through the organisation's SSO; their teams are backend roles",
    http_enabled: true,
    transport_enabled: false,
    order: 1,
    http_authenticator: {
      type: "openid",
      challenge: false,
      // Only tokens issued to this client by this provider: others the provider signs for
      // other applications must not open the logs.
      config: {
        openid_connect_url: sso.discoveryUrl,
        required_audience: sso.clientId,
        required_issuer: sso.issuer,
        roles_key: sso.rolesClaim,
        subject_key: sso.subjectClaim,
      },
    },
    authentication_backend: { type: "noop" },
  };
  return {
    _meta: { type: "config", config_version: 2 },
    config: {
      dynamic: {
        http: { anonymous_auth_enabled: false },
        authc: {
          basic_internal_auth_domain: basic,
          ...(openid ? { openid_auth_domain: openid } : {}),
        },
      },
    },
  };
}

export const securityConfigYaml = (config: StackConfig) =>
  toSortedYaml(securityConfig(config), GENERATED_HEADER);

/** The security config Secret's files: config.yml alone (see the comment at the top). */
export function securityConfigFiles(config: StackConfig): Record<string, string> {
  return { [SECURITY_CONFIG_FILE]: securityConfigYaml(config) };
}

/** Dashboards' login: basic for the program users and break-glass, OpenID for people. */
export function dashboardsSignIn(config: StackConfig): Record<string, string> {
  const sso = config.logging.opensearch.sso;
  if (!sso) return {};
  return {
    "opensearch_security.auth.multiple_auth_enabled": "true",
    "opensearch_security.auth.type": '["basicauth","openid"]',
    "opensearch_security.openid.connect_url": sso.discoveryUrl,
    "opensearch_security.openid.client_id": sso.clientId,
    "opensearch_security.openid.client_secret": `\${${OIDC_SECRET_ENV}}`,
    "opensearch_security.openid.scope": sso.scope,
    "opensearch_security.openid.base_redirect_url": config.links.opensearchDashboardsUrl,
    "opensearch_security.cookie.secure": "true",
    // The default cookie password is public, and the cookies carry basic-auth credentials.
    "opensearch_security.cookie.password": `\${${COOKIE_SECRET_ENV}}`,
  };
}
