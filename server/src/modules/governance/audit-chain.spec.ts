import { canonicalJson, GENESIS, nextEntry, receiptHash, verifyChain } from './audit-chain';

const chain = () => {
  const at = new Date('2026-11-27T10:00:00Z');
  const a = nextEntry(null, 'ballot.opened', { ballotId: 'b1', entitled: 3 }, at);
  const b = nextEntry(a, 'vote.cast', { ballotId: 'b1', seatId: 's1' }, at);
  const c = nextEntry(b, 'ballot.closed', { ballotId: 'b1', result: { yes: 1 } }, at);
  return [a, b, c];
};

describe('audit chain', () => {
  it('serialises objects with sorted keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it('links each entry to the one before', () => {
    const [a, b] = chain();
    expect(a!.prevHash).toBe(GENESIS);
    expect(b!.prevHash).toBe(a!.hash);
    expect(verifyChain(chain())).toBeNull();
  });

  it('detects an altered payload', () => {
    const c = chain();
    c[1] = { ...c[1]!, payload: { ballotId: 'b1', seatId: 's2' } };
    expect(verifyChain(c)).toMatch(/entry 2 .* altered/);
  });

  it('detects a removed entry', () => {
    const c = chain();
    c.splice(1, 1);
    expect(verifyChain(c)).toMatch(/entry 2 is missing/);
  });

  it('detects an entry rehashed on its own (the next one no longer follows)', () => {
    const c = chain();
    const forged = nextEntry({ seq: 1, hash: c[0]!.hash }, 'vote.cast', { ballotId: 'b1', seatId: 'sX' }, new Date(c[1]!.at));
    c[1] = forged;
    expect(verifyChain(c)).toMatch(/entry 3 does not follow/);
  });

  it('hashes receipts per ballot', () => {
    expect(receiptHash('b1', 'R')).not.toBe(receiptHash('b2', 'R'));
    expect(receiptHash('b1', 'R')).toMatch(/^[0-9a-f]{64}$/);
  });
});
