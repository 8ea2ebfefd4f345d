import { generateBallotKeys, openVote, sealVote } from './ballot-box';
import { EnvelopeKeys } from './envelope-keys';

const ballotId = '4f6c1d2e-8a3b-4c5d-9e0f-1a2b3c4d5e6f';

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('envelope keys prepared off the event loop', () => {
  const pool = new EnvelopeKeys();
  afterAll(() => pool.close());

  it('fills a pool for an open ballot, and every key seals an envelope the ballot key opens', async () => {
    const keys = generateBallotKeys();
    pool.prepare(ballotId, keys.publicKey, 300);
    await until(() => pool.readyFor(ballotId) >= 300);
    const sealed = Array.from({ length: 300 }, (_, i) => sealVote(keys.publicKey, ballotId, { choice: 'yes', receipt: `R${i}` }, pool.take(ballotId, keys.publicKey)));
    sealed.forEach((s, i) => expect(openVote(keys, ballotId, s)).toEqual({ choice: 'yes', receipt: `R${i}` }));
    // No ephemeral key is handed out twice.
    expect(new Set(sealed.map((s) => s.subarray(0, 32).toString('hex'))).size).toBe(300);
  });

  it('derives a key on the spot when the pool is empty, and never mixes ballots or keys', async () => {
    const other = generateBallotKeys();
    const otherId = '00000000-0000-4000-8000-000000000001';
    const k = pool.take(otherId, other.publicKey); // nothing prepared yet: derived here
    expect(openVote(other, otherId, sealVote(other.publicKey, otherId, { choice: 'no', receipt: 'X' }, k))).toEqual({ choice: 'no', receipt: 'X' });
    await until(() => pool.readyFor(otherId) > 0);
    // A key prepared for one ballot does not open under another ballot's id.
    const wrong = sealVote(other.publicKey, ballotId, { choice: 'no', receipt: 'X' }, pool.take(otherId, other.publicKey));
    expect(() => openVote(other, ballotId, wrong)).toThrow();
    // A new key pair for the same ballot id replaces the pool rather than using keys agreed with the old one.
    const renewed = generateBallotKeys();
    const fresh = pool.take(otherId, renewed.publicKey);
    expect(openVote(renewed, otherId, sealVote(renewed.publicKey, otherId, { choice: 'abstain', receipt: 'Y' }, fresh)).choice).toBe('abstain');
  });

  it('forgets a closed ballot’s keys', async () => {
    const keys = generateBallotKeys();
    const id = '00000000-0000-4000-8000-000000000002';
    pool.prepare(id, keys.publicKey, 128);
    await until(() => pool.readyFor(id) > 0);
    pool.drop(id);
    expect(pool.readyFor(id)).toBe(0);
  });
});
