import { z } from "zod";

/**
 * The organisation's identity provider, as registered in IAM: people sign in there and assume
 * their team's role (components/access). SAML: the IdP's Role attribute names the role. OIDC:
 * the token's audience must match, and the IdP puts the user's team in the session tag
 * `port8000-team` (claim https://aws.amazon.com/tags).
 */

const samlProvider = z.strictObject({
  type: z.literal("saml"),
  arn: z
    .string()
    .regex(/^arn:aws[\w-]*:iam::\d{12}:saml-provider\/\S+$/, "expected an IAM SAML provider ARN"),
});

const oidcProvider = z.strictObject({
  type: z.literal("oidc"),
  arn: z
    .string()
    .regex(/^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/\S+$/, "expected an IAM OIDC provider ARN"),
  /** The client id the IdP issues the AWS tokens to (the `aud` claim). */
  audience: z.string().min(1, "must not be empty"),
});

export const identitySchema = z
  .strictObject({
    provider: z.discriminatedUnion("type", [samlProvider, oidcProvider]).optional(),
    /** How long a team role's session lasts (IAM allows 1 to 12 hours). */
    maxSessionHours: z.number().int().min(1).max(12).default(1),
  })
  .prefault({});

export type IdentityProvider = NonNullable<z.output<typeof identitySchema>["provider"]>;
