import { Injectable } from '@nestjs/common';
// openid-client 6 is an ES module; the server is CommonJS and loads it with require(), which Node
// runs for ES modules from 20.19 and 22.12 on (package.json's engines). See docs/adr/0007.
import * as oidc from 'openid-client';
import { AppError } from '../../common/errors';
import type { ProviderSettings, SignInProtocol, SignInSecrets, VerifiedIdentity } from './provider-protocol';

/** Discovery documents and keys are fetched again after this long (and at once when settings change). */
const CONFIG_TTL_MS = 10 * 60_000;
const TIMEOUT_SECONDS = 10;

/**
 * OpenID Connect, Authorization Code flow with PKCE (S256), `state` and `nonce`, through openid-client:
 * the library checks the issuer (discovery and the ID token's `iss`), the ID token's signature against
 * the provider's published keys, its audience, lifetime and nonce.
 */
@Injectable()
export class OidcProtocol implements SignInProtocol {
  private readonly configs = new Map<string, { config: Promise<oidc.Configuration>; at: number }>();

  /** `http:` issuers are refused in production; elsewhere (a provider on localhost) they are allowed. */
  constructor(private readonly allowHttp: boolean) {}

  async begin(provider: ProviderSettings, redirectUri: string): Promise<{ url: string; secrets: SignInSecrets }> {
    const config = await this.configuration(provider);
    const secrets: SignInSecrets = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: provider.scopes,
      code_challenge: await oidc.calculatePKCECodeChallenge(secrets.codeVerifier),
      code_challenge_method: 'S256',
      state: secrets.state,
      nonce: secrets.nonce,
    });
    return { url: url.href, secrets };
  }

  async complete(provider: ProviderSettings, callbackUrl: URL, secrets: SignInSecrets): Promise<VerifiedIdentity> {
    const config = await this.configuration(provider);
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: secrets.codeVerifier,
        expectedState: secrets.state,
        expectedNonce: secrets.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      throw protocolError(err);
    }
    const idClaims = tokens.claims();
    if (!idClaims) throw new AppError('SIGN_IN_TOKEN_INVALID', 'The identity provider sent no ID token.');
    let claims: Record<string, unknown> & { iss: string; sub: string } = idClaims;
    // Many providers put the profile only in userinfo; it must speak of the same subject (the library checks).
    if (idClaims[provider.emailClaim] === undefined && config.serverMetadata().userinfo_endpoint) {
      try {
        const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        claims = { ...info, ...idClaims };
      } catch (err) {
        throw protocolError(err);
      }
    }
    const email = claims[provider.emailClaim];
    const name = [
      claims.name,
      [claims.given_name, claims.family_name].filter((s) => typeof s === 'string' && s).join(' '),
      claims.preferred_username,
    ].find((s): s is string => typeof s === 'string' && s.trim() !== '');
    return {
      issuer: claims.iss,
      subject: claims.sub,
      email: typeof email === 'string' && email.trim() ? email.trim().toLowerCase() : null,
      emailVerified: claims.email_verified === true,
      displayName: name?.trim() ?? null,
    };
  }

  /** One discovery per provider settings version, shared by concurrent sign-ins; a failure is not kept. */
  private configuration(provider: ProviderSettings): Promise<oidc.Configuration> {
    const key = `${provider.id}:${provider.version}`;
    const cached = this.configs.get(key);
    if (cached && Date.now() - cached.at < CONFIG_TTL_MS) return cached.config;
    for (const k of this.configs.keys()) if (k.startsWith(`${provider.id}:`)) this.configs.delete(k);
    const config = this.discover(provider);
    this.configs.set(key, { config, at: Date.now() });
    config.catch(() => this.configs.delete(key));
    return config;
  }

  private async discover(provider: ProviderSettings): Promise<oidc.Configuration> {
    const issuer = new URL(provider.issuer);
    const insecure = issuer.protocol === 'http:';
    if (insecure && !this.allowHttp)
      throw new AppError('SIGN_IN_PROVIDER_UNAVAILABLE', 'The identity provider must be reached over https.');
    try {
      const config = await oidc.discovery(
        issuer,
        provider.clientId,
        { client_secret: provider.clientSecret },
        oidc.ClientSecretBasic(provider.clientSecret),
        {
          timeout: TIMEOUT_SECONDS,
          ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
        },
      );
      // Without this, openid-client trusts an ID token from the token endpoint on TLS alone; with it, the
      // token's signature is checked against the provider's keys as well.
      oidc.enableNonRepudiationChecks(config);
      return config;
    } catch (err) {
      throw protocolError(err);
    }
  }
}

/** The library's failures as stable codes; the original goes to the log through the caller. */
export function protocolError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as {
    code?: string;
    name?: string;
    message?: string;
    cause?: { attribute?: string; claim?: string } & Record<string, unknown>;
    error?: string;
  };
  const wrapped = new AppError(codeFor(e), messageFor(codeFor(e)));
  (wrapped as { cause?: unknown }).cause = err;
  return wrapped;
}

function codeFor(e: { code?: string; name?: string; message?: string; cause?: { attribute?: string; claim?: string }; error?: string }) {
  if (e.name === 'AuthorizationResponseError') return 'SIGN_IN_DENIED' as const;
  const about = e.cause?.attribute ?? e.cause?.claim;
  if ((e.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED' || e.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED') && about === 'issuer')
    return 'SIGN_IN_ISSUER_MISMATCH' as const;
  if (e.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' && about === 'iss') return 'SIGN_IN_ISSUER_MISMATCH' as const;
  if (/"iss"|issuer/i.test(e.message ?? '') && /match|unexpected|invalid/i.test(e.message ?? '')) return 'SIGN_IN_ISSUER_MISMATCH' as const;
  if (
    e.name === 'TypeError' ||
    e.name === 'AbortError' ||
    e.name === 'TimeoutError' ||
    e.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' ||
    e.code === 'OAUTH_RESPONSE_IS_NOT_JSON'
  ) {
    return 'SIGN_IN_PROVIDER_UNAVAILABLE' as const;
  }
  return 'SIGN_IN_TOKEN_INVALID' as const;
}

function messageFor(code: ReturnType<typeof codeFor>): string {
  switch (code) {
    case 'SIGN_IN_DENIED':
      return 'The identity provider did not let you sign in.';
    case 'SIGN_IN_ISSUER_MISMATCH':
      return 'The identity provider is not the one configured for this organisation.';
    case 'SIGN_IN_PROVIDER_UNAVAILABLE':
      return 'The identity provider could not be reached.';
    default:
      return 'The identity provider’s answer could not be verified.';
  }
}
