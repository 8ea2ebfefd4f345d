import { openVote as openWithOpenSsl } from './ballot-box';
import {
  ENVELOPE_BYTES,
  SEALED_SHARE_BYTES,
  b64url,
  combineKey,
  fromB64url,
  newKeyPair,
  newReceipt,
  openShare,
  openVote,
  publicKeyOf,
  sealShare,
  sealVote,
  splitKey,
} from '../../contract';

const ballotId = '4f6c1d2e-8a3b-4c5d-9e0f-1a2b3c4d5e6f';
const teller = '0b7e6a52-1c4d-4e8f-9a0b-2c3d4e5f6a7b';

describe('secret-ballot cryptography on the voter’s and tellers’ devices', () => {
  const key = newKeyPair();

  it('seals votes the server opens with OpenSSL: one size, never the same bytes, no plaintext', () => {
    const votes = [
      { choice: 'yes' as const, receipt: newReceipt() },
      { choice: 'abstain' as const, receipt: newReceipt() },
      { choice: [] as number[], receipt: newReceipt() },
      { choice: Array.from({ length: 50 }, (_, i) => 99 - i), receipt: newReceipt() },
    ];
    const sealed = votes.map((v) => sealVote(key.publicKey, ballotId, v));
    expect(new Set(sealed.map((s) => fromB64url(s).length))).toEqual(new Set([ENVELOPE_BYTES]));
    sealed.forEach((s, i) => {
      expect(openWithOpenSsl(key, ballotId, Buffer.from(s, 'base64url'))).toEqual(votes[i]);
      expect(openVote(key, ballotId, s)).toEqual(votes[i]);
    });
    expect(sealVote(key.publicKey, ballotId, votes[0]!)).not.toBe(sealed[0]);
    expect(Buffer.from(sealed[0]!, 'base64url').toString('latin1')).not.toContain('yes');
  });

  it('refuses another ballot, another key and tampered bytes', () => {
    const sealed = Buffer.from(sealVote(key.publicKey, ballotId, { choice: 'no', receipt: newReceipt() }), 'base64url');
    expect(() => openWithOpenSsl(key, '00000000-0000-4000-8000-000000000000', sealed)).toThrow();
    expect(() => openWithOpenSsl(newKeyPair(), ballotId, sealed)).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[100]! ^= 1;
    expect(() => openWithOpenSsl(key, ballotId, tampered)).toThrow();
  });

  it('makes receipts of 100 bits in the look-alike-free alphabet, all different', () => {
    const receipts = Array.from({ length: 1000 }, newReceipt);
    for (const r of receipts) expect(r).toMatch(/^[A-HJ-NP-Z2-9]{5}(-[A-HJ-NP-Z2-9]{5}){3}$/);
    expect(new Set(receipts).size).toBe(1000);
  });

  it.each([
    [1, 1],
    [3, 1],
    [3, 2],
    [5, 3],
  ])('splits a ballot key among %i tellers so that any %i rebuild it, and fewer do not', async (n, k) => {
    const shares = await splitKey(key.privateKey, n, k);
    expect(shares).toHaveLength(n);
    // Every k-subset rebuilds the key (checked against the public key, as the count does).
    for (let start = 0; start + k <= n; start++) expect(publicKeyOf(await combineKey(shares.slice(start, start + k).reverse(), k))).toBe(key.publicKey);
    if (k > 1) {
      const fewer = await combineKey([...shares.slice(0, k - 1), shares[0]!], k).catch(() => null);
      expect(fewer === null || publicKeyOf(fewer) !== key.publicKey).toBe(true);
    }
  });

  it('seals a share to one teller: only their key, for this ballot and this teller, opens it', async () => {
    const tellerKeys = newKeyPair();
    const [share] = await splitKey(key.privateKey, 2, 2);
    const sealed = sealShare(tellerKeys.publicKey, ballotId, teller, share!);
    expect(fromB64url(sealed)).toHaveLength(SEALED_SHARE_BYTES);
    expect(b64url(openShare(tellerKeys, ballotId, teller, sealed))).toBe(b64url(share!));
    expect(() => openShare(newKeyPair(), ballotId, teller, sealed)).toThrow();
    expect(() => openShare(tellerKeys, '00000000-0000-4000-8000-000000000000', teller, sealed)).toThrow();
    expect(() => openShare(tellerKeys, ballotId, ballotId, sealed)).toThrow();
  });
});
