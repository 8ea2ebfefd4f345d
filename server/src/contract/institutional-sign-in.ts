import { z } from 'zod';
import { plainText } from './text';

/**
 * Institutional sign-in: an organisation's own identity provider (its members' library or university
 * account). OpenID Connect today; the `protocol` field leaves room for SAML (docs/adr/0007).
 */

/** The address part of `/api/auth/oidc/<slug>/start`: lower-case letters, digits and single hyphens. */
export const providerSlug = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(
    z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lower-case letters, digits and hyphens')
      .min(2)
      .max(60),
  );

/** A claim name such as `email` or `mail` (what some providers call it). */
const claimName = z
  .string()
  .trim()
  .regex(/^[A-Za-z_][\w.:-]{0,99}$/);

/** OAuth scope tokens (RFC 6749 §3.3), `openid` among them. */
const scopes = z
  .string()
  .trim()
  .max(500)
  .regex(/^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/, 'space-separated scope names')
  .refine((s) => s.split(' ').includes('openid'), { message: 'must include openid' });

/**
 * The provider's settings as the organisation's admin enters them. The client secret is written,
 * never read back: on an update, leaving it out keeps the stored one.
 */
export const IdentityProviderBody = z.strictObject({
  slug: providerSlug,
  /** The issuer identifier: its discovery document is at `<issuer>/.well-known/openid-configuration`. */
  issuer: z
    .url({ protocol: /^https?$/ })
    .max(500)
    .refine((u) => !/[?#]/.test(u), { message: 'an issuer has no query or fragment' }),
  clientId: plainText(1, 500),
  clientSecret: plainText(1, 1000).optional(),
  scopes: scopes.default('openid email profile'),
  emailClaim: claimName.default('email'),
  /** Whoever signs in through this provider becomes a member of the organisation (when not one already). */
  joinAsMember: z.boolean().default(false),
});
export type IdentityProviderBody = z.input<typeof IdentityProviderBody>;

export interface IdentityProviderDto {
  id: string;
  organizationId: string;
  protocol: 'oidc';
  slug: string;
  issuer: string;
  clientId: string;
  /** Whether a secret is stored; the secret itself is never sent back. */
  hasClientSecret: boolean;
  scopes: string;
  emailClaim: string;
  joinAsMember: boolean;
  /** Where the provider must send people back: register it with the provider. */
  redirectUri: string;
  updatedAt: string;
}

/** What the admin page shows: the organisation's provider, if it has one. */
export interface OrgIdentityProviderDto {
  provider: IdentityProviderDto | null;
}

/** One "Sign in with <organisation>" button of the sign-in page. */
export interface InstitutionalSignInOption {
  slug: string;
  organizationName: string;
  /** GET this (a full-page navigation, not a fetch) to begin. */
  startPath: string;
}

/** The query parameter that carries an institutional sign-in's failure back to the sign-in page. */
export const SIGN_IN_ERROR_PARAM = 'signInError';
/** The client page an institutional sign-in lands on once the session cookie is set. */
export const SIGN_IN_COMPLETE_PATH = '/sign-in/complete';
