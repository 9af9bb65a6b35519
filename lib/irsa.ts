/** Trust for one Kubernetes service account through the cluster's OIDC provider (IRSA). */
export function irsaTrustPolicy(
  oidcProviderArn: string,
  namespace: string,
  serviceAccount: string,
) {
  const issuer = oidcProviderArn.slice(
    oidcProviderArn.indexOf("oidc-provider/") + "oidc-provider/".length,
  );
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
            [`${issuer}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ],
  };
}
