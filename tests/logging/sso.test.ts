import yaml from "js-yaml";
import {
  dashboardsSignIn,
  securityConfig,
  securityConfigFiles,
  securityConfigYaml,
} from "../../components/opensearch/sso";
import { configOf, problemsOf } from "./support";

/** An issuer with a trailing slash (as Auth0's is): its discovery URL cannot tell. */
const SSO = {
  discoveryUrl: "https://id.example.com/.well-known/openid-configuration",
  issuer: "https://id.example.com/",
  clientId: "dashboards",
  rolesClaim: "teams",
  subjectClaim: "preferred_username",
};

describe("signing in to OpenSearch", () => {
  const config = configOf("prod", { logging: { opensearch: { sso: SSO } } });

  it("tries the program users' basic auth first, then the SSO's tokens with the team claim", () => {
    const { authc } = securityConfig(config).config.dynamic as {
      authc: Record<string, { order: number; http_authenticator: Record<string, unknown> }>;
    };
    const domains = Object.entries(authc).sort((a, b) => a[1].order - b[1].order);
    expect(domains.map(([name]) => name)).toEqual([
      "basic_internal_auth_domain",
      "openid_auth_domain",
    ]);
    // A challenge from basic auth would stop a browser before the SSO.
    expect(authc.basic_internal_auth_domain.http_authenticator.challenge).toBe(false);
    expect(authc.openid_auth_domain.http_authenticator.config).toEqual({
      openid_connect_url: SSO.discoveryUrl,
      // Tokens the provider issued to other clients are refused.
      required_audience: "dashboards",
      // The token's iss claim must equal it exactly: the issuer as the provider states it.
      required_issuer: "https://id.example.com/",
      roles_key: "teams",
      subject_key: "preferred_username",
    });
    expect(yaml.load(securityConfigYaml(config))).toEqual(securityConfig(config));
  });

  it("hands the operator config.yml alone, never the files the user and role resources own", () => {
    // The operator's update Job applies every file of the secret: internal_users.yml,
    // roles.yml or roles_mapping.yml here would overwrite what the resources created.
    expect(Object.keys(securityConfigFiles(config))).toEqual(["config.yml"]);
  });

  it("gives Dashboards the SSO and its own public URL to return to, the secret as a variable", () => {
    const signIn = dashboardsSignIn(config);
    expect(signIn).toMatchObject({
      "opensearch_security.auth.type": '["basicauth","openid"]',
      "opensearch_security.openid.connect_url": SSO.discoveryUrl,
      "opensearch_security.openid.client_id": "dashboards",
      "opensearch_security.openid.base_redirect_url": config.links.opensearchDashboardsUrl,
    });
    for (const key of ["openid.client_secret", "cookie.password"])
      expect(signIn[`opensearch_security.${key}`]).toMatch(/^\$\{\w+\}$/);
  });

  it("takes the issuer from config, and refuses one whose discovery document is elsewhere", () => {
    const { issuer: _, ...withoutIssuer } = SSO;
    expect(problemsOf("prod", { logging: { opensearch: { sso: withoutIssuer } } })).toEqual([
      expect.stringMatching(/^logging\.opensearch\.sso\.issuer/),
    ]);
    const other = "https://login.example.net/tenant/v2.0";
    expect(
      problemsOf("prod", { logging: { opensearch: { sso: { ...SSO, issuer: other } } } }),
    ).toEqual([
      `logging.opensearch.sso.issuer ("${other}"): its discovery document is at ${other}/.well-known/openid-configuration, not at discoveryUrl; give the issuer exactly as the provider's discovery document states it`,
    ]);
    for (const issuer of ["https://id.example.com", "https://id.example.com/"]) {
      const config = configOf("prod", { logging: { opensearch: { sso: { ...SSO, issuer } } } });
      const { authc } = securityConfig(config).config.dynamic as {
        authc: { openid_auth_domain: { http_authenticator: { config: Record<string, string> } } };
      };
      expect(authc.openid_auth_domain.http_authenticator.config.required_issuer).toBe(issuer);
    }
  });

  it("is required where people read logs, and checks the discovery URL", () => {
    expect(
      problemsOf("prod", {
        logging: { opensearch: { sso: { ...SSO, discoveryUrl: "https://id.example.com/" } } },
      }),
    ).toEqual([
      'logging.opensearch.sso.discoveryUrl ("https://id.example.com/"): expected the provider\'s …/.well-known/openid-configuration URL',
    ]);
  });
});
