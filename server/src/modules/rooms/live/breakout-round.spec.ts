import { describe, expect, it } from '@jest/globals';
import { chatScope, dealOut, openRound, sameGroup, smallestGroup } from './breakout-round';

const people = (n: number, staff = 0) => Array.from({ length: n + staff }, (_, i) => ({ userId: `u${i}`, staff: i >= n }));
/** A seeded generator, so a failing case can be replayed. */
const seeded = (seed: number) => (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
};

describe('dealOut', () => {
  it.each([
    [12, 3],
    [13, 3],
    [2, 5],
    [50, 7],
  ])('places each of %i people once in %i groups, sizes within one of each other', (n, groups) => {
    const placed = dealOut(people(n, 2), groups, seeded(n * 31 + groups));
    expect([...placed.keys()].sort()).toEqual(
      people(n)
        .map((p) => p.userId)
        .sort(),
    );
    const sizes = Array.from({ length: groups }, (_, g) => [...placed.values()].filter((x) => x === g).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect([...placed.values()].every((g) => g >= 0 && g < groups)).toBe(true);
  });

  it('leaves hosts and co-hosts in the main room', () => {
    const placed = dealOut(people(4, 2), 2, seeded(1));
    expect(placed.has('u4')).toBe(false);
    expect(placed.has('u5')).toBe(false);
  });

  it('counts a person with two devices once', () => {
    const placed = dealOut([...people(3), { userId: 'u0', staff: false }], 3, seeded(2));
    expect(placed.size).toBe(3);
    expect(new Set(placed.values()).size).toBe(3);
  });

  it('depends on the draw: another seed gives another split', () => {
    const splits = new Set([1, 2, 3, 4, 5, 6].map((s) => JSON.stringify([...dealOut(people(12), 3, seeded(s))].sort())));
    expect(splits.size).toBeGreaterThan(1);
  });
});

describe('openRound', () => {
  const now = new Date('2026-12-02T10:00:00Z');

  it('takes the host placements in a manual round and leaves the others in the main room', () => {
    const r = openRound('r', { groups: 2, assignment: 'manual', placements: [{ userId: 'u1', group: 1 }] }, people(3), now, seeded(1));
    expect([...r.placements]).toEqual([['u1', 1]]);
    expect(r.names).toEqual(['', '']);
    expect(r.endsAt).toBeNull();
  });

  it('places nobody when people choose, and ends after the minutes given', () => {
    const r = openRound('r', { groups: 3, assignment: 'choose', names: ['A', 'B', 'C'], minutes: 15 }, people(3), now, seeded(1));
    expect(r.placements.size).toBe(0);
    expect(r.names).toEqual(['A', 'B', 'C']);
    expect(r.endsAt?.toISOString()).toBe('2026-12-02T10:15:00.000Z');
  });
});

describe('groups', () => {
  const round = openRound(
    'round',
    {
      groups: 3,
      assignment: 'manual',
      placements: [
        { userId: 'a', group: 0 },
        { userId: 'b', group: 0 },
        { userId: 'c', group: 2 },
      ],
    },
    [],
    new Date(),
    seeded(1),
  );

  it('lets the same group (or the main room) see each other, and nobody else', () => {
    expect(sameGroup(round, 'a', 'b')).toBe(true);
    expect(sameGroup(round, 'a', 'c')).toBe(false);
    expect(sameGroup(round, 'x', 'y')).toBe(true);
    expect(sameGroup(round, 'a', 'x')).toBe(false);
    expect(sameGroup(null, 'a', 'c')).toBe(true);
  });

  it('sends a latecomer to the group with fewest people present', () => {
    expect(smallestGroup(round, new Set(['a', 'b', 'c']))).toBe(1);
    expect(smallestGroup(round, new Set(['a']))).toBe(1);
    round.placements.set('d', 1);
    round.placements.set('e', 1);
    expect(smallestGroup(round, new Set(['a', 'b', 'c', 'd', 'e']))).toBe(2);
  });

  it('gives each group its own chat for this round', () => {
    expect(chatScope(round, 'a')).toBe('round:0');
    expect(chatScope(round, 'c')).toBe('round:2');
    expect(chatScope(round, 'x')).toBeNull();
    expect(chatScope(null, 'a')).toBeNull();
  });
});
