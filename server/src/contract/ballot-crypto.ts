import { gcm } from '@noble/ciphers/aes';
import { x25519 } from '@noble/curves/ed25519';
import { hkdf } from '@noble/hashes/hkdf';
import { sha256 } from '@noble/hashes/sha2';
import { combine, split } from 'shamir-secret-sharing';

/**
 * Secret-ballot cryptography shared by the voter's client, the tellers' clients and the server, so a
 * choice is sealed before it leaves the voter's device and the key that opens it is held by the
 * tellers until the count. Built from audited libraries only: X25519 (ephemeral-static ECDH),
 * HKDF-SHA256 and AES-256-GCM from @noble, Shamir secret sharing from `shamir-secret-sharing`. The
 * server opens envelopes with Node's OpenSSL in the same format (governance/ballot-box.ts).
 *
 * Every sealed message is `ephemeral public key (32) | iv (12) | tag (16) | ciphertext`. Envelopes of
 * votes carry one fixed-length padded plaintext, so neither their bytes nor their size tell anything.
 */

/** Bytes of padded plaintext inside every vote envelope. */
export const ENVELOPE_PLAINTEXT_BYTES = 256;
/** Bytes of a sealed vote envelope. */
export const ENVELOPE_BYTES = 32 + 12 + 16 + ENVELOPE_PLAINTEXT_BYTES;
/** Bytes of a sealed key share: the X25519 private key (32) plus Shamir's one-byte index. */
export const SEALED_SHARE_BYTES = 32 + 12 + 16 + 33;
/** The ballot's key itself, when any one teller may open it (threshold 1): 32 bytes, padded to a share's size. */
const SHARE_BYTES = 33;

export const VOTE_INFO = 'quorum/ballot-envelope/v1';
const SHARE_INFO = 'quorum/key-share/v1';

/** What an envelope holds: the choice (a motion's word, or candidate indexes) and the voter's receipt. */
export interface SealedVote {
  choice: 'yes' | 'no' | 'abstain' | number[];
  receipt: string;
}

export interface KeyPair {
  /** Raw 32-byte X25519 public key, base64url. */
  publicKey: string;
  /** Raw 32-byte X25519 private key, base64url. */
  privateKey: string;
}

export function newKeyPair(): KeyPair {
  const priv = x25519.utils.randomPrivateKey();
  return { publicKey: b64url(x25519.getPublicKey(priv)), privateKey: b64url(priv) };
}

export const publicKeyOf = (privateKey: string): string => b64url(x25519.getPublicKey(fromB64url(privateKey)));

/** 20 characters from a 32-letter alphabet without look-alikes (100 bits), in groups of five. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export function receiptCode(bytes: Uint8Array): string {
  const chars = [...bytes.subarray(0, 20)].map((b) => ALPHABET[b % 32]).join('');
  return chars.match(/.{5}/g)!.join('-');
}

/** A fresh receipt, made on the voter's device: nobody else ever holds it until the bulletin is posted. */
export const newReceipt = (): string => receiptCode(randomBytes(20));

/** A secret ballot's envelope holds candidate indexes rather than names: small, and one fixed size. */
export function encodeChoice(ballot: { kind: 'motion' | 'election'; options: string[] }, choice: 'yes' | 'no' | 'abstain' | string[]): SealedVote['choice'] {
  if (ballot.kind === 'motion') return choice as 'yes' | 'no' | 'abstain';
  return (choice as string[]).map((c) => ballot.options.indexOf(c));
}

/** Encrypts a vote to the ballot's public key, padded to one length; every call gives different bytes. */
export function sealVote(publicKey: string, ballotId: string, vote: SealedVote): string {
  const json = utf8(JSON.stringify({ c: vote.choice, r: vote.receipt }));
  if (json.length > ENVELOPE_PLAINTEXT_BYTES - 2) throw new RangeError('vote too large for an envelope');
  const plain = new Uint8Array(ENVELOPE_PLAINTEXT_BYTES);
  plain[0] = json.length >> 8;
  plain[1] = json.length & 0xff;
  plain.set(json, 2);
  return b64url(seal(fromB64url(publicKey), `${VOTE_INFO}:${ballotId}`, utf8(ballotId), plain));
}

/** Opens a vote envelope (the server does the same with OpenSSL at the count; this one is for checks). */
export function openVote(keys: KeyPair, ballotId: string, envelope: string): SealedVote {
  const plain = open(keys, `${VOTE_INFO}:${ballotId}`, utf8(ballotId), fromB64url(envelope), ENVELOPE_BYTES);
  const parsed = JSON.parse(new TextDecoder().decode(plain.subarray(2, 2 + ((plain[0]! << 8) | plain[1]!)))) as { c: SealedVote['choice']; r: string };
  return { choice: parsed.c, receipt: parsed.r };
}

/**
 * Splits a ballot's private key into one share per teller, any `threshold` of which rebuild it
 * (threshold 1: every teller gets the key itself).
 */
export async function splitKey(privateKey: string, tellers: number, threshold: number): Promise<Uint8Array[]> {
  if (threshold < 1 || threshold > tellers) throw new RangeError('threshold out of range');
  const key = fromB64url(privateKey);
  if (threshold === 1) return Array.from({ length: tellers }, () => Uint8Array.of(0, ...key));
  return split(key, tellers, threshold);
}

/** The ballot's private key from `threshold` shares (any order); checked against its public key by the caller. */
export async function combineKey(shares: Uint8Array[], threshold: number): Promise<string> {
  if (shares.length < threshold || shares.some((s) => s.length !== SHARE_BYTES)) throw new RangeError('not enough shares');
  if (threshold === 1) return b64url(shares[0]!.subarray(1));
  return b64url(await combine(shares.slice(0, threshold)));
}

/** A key share sealed to one teller's public key, bound to the ballot and the teller. */
export function sealShare(tellerPublicKey: string, ballotId: string, tellerId: string, share: Uint8Array): string {
  if (share.length !== SHARE_BYTES) throw new RangeError('a share is 33 bytes');
  return b64url(seal(fromB64url(tellerPublicKey), `${SHARE_INFO}:${ballotId}:${tellerId}`, utf8(`${ballotId}:${tellerId}`), share));
}

/** Opens the share sealed to this teller; throws on the wrong key, ballot, teller or tampered bytes. */
export function openShare(tellerKeys: KeyPair, ballotId: string, tellerId: string, sealed: string): Uint8Array {
  return open(tellerKeys, `${SHARE_INFO}:${ballotId}:${tellerId}`, utf8(`${ballotId}:${tellerId}`), fromB64url(sealed), SEALED_SHARE_BYTES);
}

function seal(recipient: Uint8Array, info: string, aad: Uint8Array, plain: Uint8Array): Uint8Array {
  const eph = x25519.utils.randomPrivateKey();
  const ephPub = x25519.getPublicKey(eph);
  const key = hkdf(sha256, x25519.getSharedSecret(eph, recipient), concat(ephPub, recipient), info, 32);
  const iv = randomBytes(12);
  const sealed = gcm(key, iv, aad).encrypt(plain);
  // noble gives ciphertext | tag; the stored order is tag first, as OpenSSL's opener reads it.
  return concat(ephPub, iv, sealed.subarray(sealed.length - 16), sealed.subarray(0, sealed.length - 16));
}

function open(keys: KeyPair, info: string, aad: Uint8Array, bytes: Uint8Array, size: number): Uint8Array {
  if (bytes.length !== size) throw new RangeError('sealed message of the wrong size');
  const ephPub = bytes.subarray(0, 32);
  const recipient = fromB64url(keys.publicKey);
  const key = hkdf(sha256, x25519.getSharedSecret(fromB64url(keys.privateKey), ephPub), concat(ephPub, recipient), info, 32);
  return gcm(key, bytes.subarray(32, 44), aad).decrypt(concat(bytes.subarray(60), bytes.subarray(44, 60)));
}

export function randomBytes(n: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function b64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromB64url(s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}
