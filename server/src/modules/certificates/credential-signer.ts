import { createPrivateKey, createPublicKey } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, errors, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { VerificationFailure } from '../../contract';
import { CREDENTIAL_JWT_TYPE, isCanonicalCompactJws } from './credential';

/** The public key as published in the JWKS: `kid` is its RFC 7638 thumbprint. */
export type PublishedKey = JWK & { kid: string; alg: 'EdDSA'; use: 'sig' };

export class CredentialError extends Error {
  constructor(
    readonly code: VerificationFailure,
    message: string,
  ) {
    super(message);
  }
}

type SigningKey = Parameters<SignJWT['sign']>[0];

/**
 * Signs and checks certificate credentials (VC-JWT, alg EdDSA, Ed25519) with the server's credential
 * key, held like the record key: CREDENTIAL_SIGNING_KEY, or a key generated once into DATA_DIR.
 */
export class CredentialSigner {
  private constructor(
    private readonly privateKey: SigningKey,
    private readonly publicKey: SigningKey,
    readonly jwk: PublishedKey,
  ) {}

  static async fromPkcs8(pkcs8Der: Buffer): Promise<CredentialSigner> {
    const keyObject = createPrivateKey({ key: pkcs8Der, format: 'der', type: 'pkcs8' });
    const privateJwk = keyObject.export({ format: 'jwk' }) as JWK;
    const publicJwk = createPublicKey(keyObject).export({ format: 'jwk' }) as JWK;
    if (publicJwk.crv !== 'Ed25519') throw new Error('CREDENTIAL_SIGNING_KEY must be an Ed25519 key');
    const kid = await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: publicJwk.x! });
    const jwk: PublishedKey = { kty: 'OKP', crv: 'Ed25519', x: publicJwk.x!, kid, alg: 'EdDSA', use: 'sig' };
    return new CredentialSigner(
      (await importJWK({ ...privateJwk, alg: 'EdDSA' }, 'EdDSA')) as SigningKey,
      (await importJWK({ kty: 'OKP', crv: 'Ed25519', x: jwk.x }, 'EdDSA')) as SigningKey,
      jwk,
    );
  }

  get keyId(): string {
    return this.jwk.kid;
  }

  sign(claims: Record<string, unknown>): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: CREDENTIAL_JWT_TYPE, kid: this.jwk.kid }).sign(this.privateKey);
  }

  /** The claims of a credential this key signed; CredentialError with a stable code otherwise. */
  async verify(token: string): Promise<JWTPayload> {
    const compact = token.trim();
    if (!isCanonicalCompactJws(compact)) throw new CredentialError('CREDENTIAL_MALFORMED', 'This is not a signed credential (a VC-JWT).');
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(compact);
    } catch {
      throw new CredentialError('CREDENTIAL_MALFORMED', 'The credential’s header cannot be read.');
    }
    if (header.alg !== 'EdDSA' || header.typ !== CREDENTIAL_JWT_TYPE) throw new CredentialError('CREDENTIAL_MALFORMED', 'The credential is not an EdDSA-signed VC-JWT.');
    if (header.kid !== this.jwk.kid) throw new CredentialError('CREDENTIAL_UNKNOWN_KEY', 'The credential was not signed with this server’s published key.');
    try {
      const { payload } = await jwtVerify(compact, this.publicKey, { algorithms: ['EdDSA'], typ: CREDENTIAL_JWT_TYPE });
      return payload;
    } catch (err) {
      if (err instanceof errors.JWSSignatureVerificationFailed) throw new CredentialError('CREDENTIAL_SIGNATURE_INVALID', 'The signature does not match the credential: it has been changed.');
      throw new CredentialError('CREDENTIAL_MALFORMED', 'The credential cannot be read.');
    }
  }
}
