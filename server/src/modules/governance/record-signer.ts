import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './audit-chain';

/**
 * Anchors a meeting's record outside anything an editor of an export can reach: the server signs the
 * head of the audit chain (meeting, position, hash) with its Ed25519 key. The public key is published
 * at /.well-known/quorum-record-key and named in each meeting's first audit entry. Pure given the key.
 */
export interface SignedHead {
  meetingId: string;
  seq: number;
  hash: string;
  /** base64 of the raw 32-byte Ed25519 public key */
  publicKey: string;
  /** sha256 of the raw public key, hex, first 32 characters */
  keyId: string;
  /** base64 Ed25519 signature over the canonical JSON of { meetingId, seq, hash } */
  signature: string;
}

export const keyIdOf = (rawPublicKey: Buffer): string => createHash('sha256').update(rawPublicKey).digest('hex').slice(0, 32);

export const headMessage = (h: Pick<SignedHead, 'meetingId' | 'seq' | 'hash'>): Buffer =>
  Buffer.from(canonicalJson({ meetingId: h.meetingId, seq: h.seq, hash: h.hash, purpose: 'quorum-record-head/1' }), 'utf8');

export class RecordSigner {
  private readonly privateKey: KeyObject;
  readonly publicKey: string;
  readonly keyId: string;

  constructor(pkcs8Der: Buffer) {
    this.privateKey = createPrivateKey({ key: pkcs8Der, format: 'der', type: 'pkcs8' });
    const raw = Buffer.from(createPublicKey(this.privateKey).export({ format: 'jwk' }).x!, 'base64url');
    this.publicKey = raw.toString('base64');
    this.keyId = keyIdOf(raw);
  }

  sign(head: Pick<SignedHead, 'meetingId' | 'seq' | 'hash'>): SignedHead {
    return { ...head, publicKey: this.publicKey, keyId: this.keyId, signature: sign(null, headMessage(head), this.privateKey).toString('base64') };
  }
}

/** Whether `s.signature` is a valid signature of its head by `s.publicKey`. */
export function verifyHead(s: SignedHead): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(s.publicKey, 'base64').toString('base64url') }, format: 'jwk' });
    return verify(null, headMessage(s), key, Buffer.from(s.signature, 'base64'));
  } catch {
    return false;
  }
}
