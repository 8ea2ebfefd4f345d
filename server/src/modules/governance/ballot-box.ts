import { createCipheriv, createDecipheriv, createHmac, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

import { ENVELOPE_BYTES, ENVELOPE_PLAINTEXT_BYTES, receiptCode, VOTE_INFO, type SealedVote } from '../../contract';

/**
 * Envelopes on the server, with Node's OpenSSL: the same format as the contract's ballot-crypto (which
 * voters' devices use to seal secret ballots), here to open them at the count and to seal what the
 * server itself seals — anonymous poll answers, and instructed proxy votes (whose choice the server
 * knows anyway). The choice and its receipt, encrypted to an X25519 key (ephemeral-static ECDH,
 * HKDF-SHA256, AES-256-GCM) and padded to one fixed length. Pure: no I/O.
 */
export { ENVELOPE_BYTES, receiptCode, type SealedVote };

export interface BallotKeyPair {
  /** Raw 32-byte X25519 public key, base64url. */
  publicKey: string;
  /** Raw 32-byte X25519 private key, base64url. */
  privateKey: string;
  /** 32 random bytes, base64url: derives receipts, so a retry gets the same receipt without storing it. */
  receiptKey: string;
}

const INFO = VOTE_INFO;

export function generateBallotKeys(): BallotKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return {
    publicKey: rawPublic(publicKey),
    privateKey: privateKey.export({ format: 'jwk' }).d!,
    receiptKey: randomBytes(32).toString('base64url'),
  };
}

const rawPublic = (k: KeyObject): string => k.export({ format: 'jwk' }).x!;
const importPublic = (x: string): KeyObject => createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' });
const importPrivate = (d: string, x: string): KeyObject => createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d, x }, format: 'jwk' });

/** What one envelope is sealed with: a fresh ephemeral public key and the AES key agreed from it. */
export interface EnvelopeKey {
  /** Raw 32-byte X25519 ephemeral public key, written at the head of the envelope. */
  ephemeral: Buffer;
  /** AES-256-GCM key: HKDF-SHA256 of the ephemeral-static shared secret. */
  key: Buffer;
}

/**
 * A fresh ephemeral key agreed with a ballot's public key (the costly part of sealing: a key pair and
 * an ECDH). Self-contained — it names nothing outside its own body — because the envelope-key worker
 * runs this same function from its source (see envelope-keys.ts), off the event loop.
 */
export function deriveEnvelopeKey(publicKey: string, ballotId: string): EnvelopeKey {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const c = require('node:crypto') as typeof import('node:crypto');
  const recipient = c.createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: publicKey }, format: 'jwk' });
  const eph = c.generateKeyPairSync('x25519');
  const ephemeral = Buffer.from(eph.publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const shared = c.diffieHellman({ privateKey: eph.privateKey, publicKey: recipient });
  const salt = Buffer.concat([ephemeral, Buffer.from(publicKey, 'base64url')]);
  // The info string is INFO, written out because this body may name nothing outside itself; the
  // round-trip spec (sealed here, opened through envelopeKey) fails if the two ever differ.
  return { ephemeral, key: Buffer.from(c.hkdfSync('sha256', shared, salt, `quorum/ballot-envelope/v1:${ballotId}`, 32)) };
}

function envelopeKey(shared: Buffer, ephemeral: Buffer, recipient: Buffer, ballotId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeral, recipient]), `${INFO}:${ballotId}`, 32));
}

/**
 * Encrypts a vote to the ballot's public key. Every call gives different bytes of the same length.
 * `material` is an unused key from deriveEnvelopeKey (prepared ahead by the worker); never reuse one.
 */
export function sealVote(publicKey: string, ballotId: string, vote: SealedVote, material: EnvelopeKey = deriveEnvelopeKey(publicKey, ballotId)): Buffer {
  const json = Buffer.from(JSON.stringify({ c: vote.choice, r: vote.receipt }), 'utf8');
  if (json.length > ENVELOPE_PLAINTEXT_BYTES - 2) throw new RangeError('vote too large for an envelope');
  const plain = Buffer.alloc(ENVELOPE_PLAINTEXT_BYTES);
  plain.writeUInt16BE(json.length, 0);
  json.copy(plain, 2);
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', material.key, iv);
  c.setAAD(Buffer.from(ballotId, 'utf8'));
  const data = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([material.ephemeral, iv, c.getAuthTag(), data]);
}

/** Opens an envelope with the ballot's private key; throws on a wrong key, ballot or tampered bytes. */
export function openVote(keys: Pick<BallotKeyPair, 'publicKey' | 'privateKey'>, ballotId: string, envelope: Buffer): SealedVote {
  if (envelope.length !== ENVELOPE_BYTES) throw new RangeError('envelope of the wrong size');
  const ephRaw = envelope.subarray(0, 32);
  const eph = importPublic(ephRaw.toString('base64url'));
  const shared = diffieHellman({ privateKey: importPrivate(keys.privateKey, keys.publicKey), publicKey: eph });
  const key = envelopeKey(shared, ephRaw, Buffer.from(keys.publicKey, 'base64url'), ballotId);
  const d = createDecipheriv('aes-256-gcm', key, envelope.subarray(32, 44));
  d.setAAD(Buffer.from(ballotId, 'utf8'));
  d.setAuthTag(envelope.subarray(44, 60));
  const plain = Buffer.concat([d.update(envelope.subarray(60)), d.final()]);
  const parsed = JSON.parse(plain.subarray(2, 2 + plain.readUInt16BE(0)).toString('utf8')) as { c: SealedVote['choice']; r: string };
  return { choice: parsed.c, receipt: parsed.r };
}

/**
 * The receipt of one cast, derived from the ballot's receipt key: the same request gets the same
 * receipt after a lost acknowledgement, and nothing stored in the database can rebuild it.
 */
export function deriveReceipt(receiptKey: string, seatId: string, requestKey: string): string {
  return receiptCode(createHmac('sha256', Buffer.from(receiptKey, 'base64url')).update(`${seatId}\n${requestKey}`).digest());
}
