import { OpenSessions } from './open-sessions';

describe('open-session checks asked together', () => {
  it('answers the questions of one turn with one lookup, each with its own answer', async () => {
    const lookups: string[][] = [];
    const sessions = new OpenSessions(async (ids) => {
      lookups.push(ids);
      return new Map([
        ['s1', 'u1'],
        ['s2', 'u2'],
      ]);
    });
    const answers = await Promise.all([
      sessions.isOpen('s1', 'u1'),
      sessions.isOpen('s1', 'u1'),
      sessions.isOpen('s2', 'u1'), // open, but another person's session
      sessions.isOpen('s3', 'u3'), // ended or unknown
    ]);
    expect(answers).toEqual([true, true, false, false]);
    expect(lookups).toEqual([['s1', 's2', 's3']]);
    // A later question is a new lookup: nothing is remembered here (the revocation list does that).
    expect(await sessions.isOpen('s2', 'u2')).toBe(true);
    expect(lookups).toHaveLength(2);
  });

  it('passes a failed lookup to every caller of that turn, and the next turn tries again', async () => {
    let fail = true;
    const sessions = new OpenSessions(async () => {
      if (fail) throw new Error('database unavailable');
      return new Map([['s1', 'u1']]);
    });
    const results = await Promise.allSettled([sessions.isOpen('s1', 'u1'), sessions.isOpen('s2', 'u2')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await sessions.isOpen('s1', 'u1')).toBe(true);
  });
});
