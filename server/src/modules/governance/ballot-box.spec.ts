import { ENVELOPE_BYTES, deriveReceipt, generateBallotKeys, openVote, sealVote } from './ballot-box';

const ballotId = '4f6c1d2e-8a3b-4c5d-9e0f-1a2b3c4d5e6f';

describe('ballot envelopes', () => {
  const keys = generateBallotKeys();

  it('round-trips every kind of choice at one fixed size, never the same bytes twice', () => {
    const votes = [
      { choice: 'yes' as const, receipt: 'AAAAA-BBBBB-CCCCC-DDDDD' },
      { choice: 'abstain' as const, receipt: 'AAAAA-BBBBB-CCCCC-DDDDE' },
      { choice: [], receipt: 'AAAAA-BBBBB-CCCCC-DDDDF' },
      { choice: Array.from({ length: 50 }, (_, i) => 99 - i), receipt: 'AAAAA-BBBBB-CCCCC-DDDDG' },
    ];
    const sealed = votes.map((v) => sealVote(keys.publicKey, ballotId, v));
    expect(new Set(sealed.map((s) => s.length))).toEqual(new Set([ENVELOPE_BYTES]));
    sealed.forEach((s, i) => expect(openVote(keys, ballotId, s)).toEqual(votes[i]));
    expect(sealVote(keys.publicKey, ballotId, votes[0]!).equals(sealed[0]!)).toBe(false);
    expect(sealed[0]!.toString('latin1')).not.toContain('yes');
  });

  it('refuses another ballot, another key and tampered bytes', () => {
    const sealed = sealVote(keys.publicKey, ballotId, { choice: 'no', receipt: 'R' });
    expect(() => openVote(keys, '00000000-0000-4000-8000-000000000000', sealed)).toThrow();
    expect(() => openVote(generateBallotKeys(), ballotId, sealed)).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[100]! ^= 1;
    expect(() => openVote(keys, ballotId, tampered)).toThrow();
    expect(() => openVote(keys, ballotId, sealed.subarray(1))).toThrow(RangeError);
  });

  it('refuses a vote too large for an envelope', () => {
    expect(() => sealVote(keys.publicKey, ballotId, { choice: Array.from({ length: 200 }, (_, i) => i), receipt: 'R' })).toThrow(RangeError);
  });

  it('derives the same receipt for a retry and another for another request or seat', () => {
    const a = deriveReceipt(keys.receiptKey, 'seat-1', 'req-1');
    expect(a).toMatch(/^[A-Z2-9]{5}(-[A-Z2-9]{5}){3}$/);
    expect(deriveReceipt(keys.receiptKey, 'seat-1', 'req-1')).toBe(a);
    expect(deriveReceipt(keys.receiptKey, 'seat-1', 'req-2')).not.toBe(a);
    expect(deriveReceipt(keys.receiptKey, 'seat-2', 'req-1')).not.toBe(a);
    expect(deriveReceipt(generateBallotKeys().receiptKey, 'seat-1', 'req-1')).not.toBe(a);
  });
});
