/**
 * What institutional sign-in asks of a protocol. OpenID Connect implements it today (oidc-protocol.ts);
 * SAML (Shibboleth, eduGAIN) is to implement the same two steps (docs/adr/0007-institutional-sign-in.md):
 * the service around it keeps the single-use, browser-bound sign-in record, links the account and
 * opens the Quorum session, whatever the protocol.
 */

/** A provider as the protocol needs it, its secret already unsealed. */
export interface ProviderSettings {
  id: string;
  /** For OIDC the issuer identifier; for SAML it will be the IdP's entityID. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  emailClaim: string;
  /** Changes whenever the settings do: cached protocol state (discovery, keys) is keyed by it. */
  version: string;
}

/** Per-sign-in secrets the protocol makes at the start and needs back at the callback. */
export interface SignInSecrets {
  /** Sent to the provider and returned by it: finds the sign-in record (OIDC `state`, SAML RelayState). */
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Who the provider says signed in, after the protocol checked everything it can (issuer, signature, nonce...). */
export interface VerifiedIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  /** Only a provider's explicit word (`email_verified: true`) counts. */
  emailVerified: boolean;
  displayName: string | null;
}

export interface SignInProtocol {
  /** Where to send the browser, and the secrets to keep for the callback. */
  begin(provider: ProviderSettings, redirectUri: string): Promise<{ url: string; secrets: SignInSecrets }>;
  /** Checks the provider's answer (the full callback URL) against the kept secrets. Throws AppError. */
  complete(provider: ProviderSettings, callbackUrl: URL, secrets: SignInSecrets): Promise<VerifiedIdentity>;
}
