import { type MajorityRule, type MotionChoice, tallyElection, tallyMotion } from './tally';

type V = [MotionChoice, number];
const votes = (...vs: V[]) => vs.map(([choice, weight]) => ({ choice, weight }));
const y = (w = 1): V => ['yes', w];
const n = (w = 1): V => ['no', w];
const a = (w = 1): V => ['abstain', w];
const times = (v: V, k: number): V[] => Array.from({ length: k }, () => v);

describe('tallyMotion', () => {
  // [name, rule, abstentionsCount, votes, present, entitled, expected outcome, expected yes/no/abstain/base]
  const cases: [string, MajorityRule, boolean, V[], number, number, 'carried' | 'lost' | 'tie', [number, number, number, number]][] = [
    ['simple: more yes than no', 'simple', false, [y(), y(), n()], 3, 3, 'carried', [2, 1, 0, 3]],
    ['simple: more no than yes', 'simple', false, [y(), n(), n()], 3, 3, 'lost', [1, 2, 0, 3]],
    ['simple: equal is a tie', 'simple', false, [y(), n()], 2, 2, 'tie', [1, 1, 0, 2]],
    ['simple: abstentions ignored', 'simple', false, [y(), a(), a(), a()], 4, 4, 'carried', [1, 0, 3, 1]],
    ['simple: abstentions counted can defeat', 'simple', true, [y(), a(), a(), n()], 4, 4, 'lost', [1, 1, 2, 4]],
    ['simple: abstentions counted, yes over half', 'simple', true, [y(), y(), y(), a(), n()], 5, 5, 'carried', [3, 1, 1, 5]],
    ['simple: abstentions counted, exactly half is a tie', 'simple', true, [y(), y(), a(), n()], 4, 4, 'tie', [2, 1, 1, 4]],
    ['simple: nobody voted', 'simple', false, [], 3, 3, 'lost', [0, 0, 0, 0]],
    ['simple: only abstentions', 'simple', false, [a(), a()], 2, 2, 'lost', [0, 0, 2, 0]],
    ['simple: weights decide against heads', 'simple', false, [y(5), n(), n(), n()], 4, 4, 'carried', [5, 3, 0, 8]],
    ['simple: weights make a tie', 'simple', false, [y(3), n(2), n(1)], 3, 3, 'tie', [3, 3, 0, 6]],
    ['absolute-present: over half present', 'absolute-present', false, [y(), y(), y(), n()], 5, 9, 'carried', [3, 1, 0, 5]],
    ['absolute-present: absent-minded present count against', 'absolute-present', false, [y(), y(), n()], 5, 9, 'lost', [2, 1, 0, 5]],
    ['absolute-present: exactly half present is a tie', 'absolute-present', false, [y(), y(), n()], 4, 9, 'tie', [2, 1, 0, 4]],
    ['absolute-present: weighted', 'absolute-present', false, [y(3), n(1)], 5, 10, 'carried', [3, 1, 0, 5]],
    ['absolute-present: abstentions do not help', 'absolute-present', true, [y(2), a(3)], 5, 5, 'lost', [2, 0, 3, 5]],
    ['two-thirds: exactly two thirds carries', 'two-thirds-cast', false, [y(), y(), n()], 3, 3, 'carried', [2, 1, 0, 3]],
    ['two-thirds: just under fails', 'two-thirds-cast', false, [...times(y(), 5), ...times(n(), 3)], 8, 8, 'lost', [5, 3, 0, 8]],
    ['two-thirds: just over carries', 'two-thirds-cast', false, [...times(y(), 7), ...times(n(), 3)], 10, 10, 'carried', [7, 3, 0, 10]],
    ['two-thirds: 66 of 100 fails', 'two-thirds-cast', false, [y(66), n(34)], 2, 2, 'lost', [66, 34, 0, 100]],
    ['two-thirds: 67 of 100 carries', 'two-thirds-cast', false, [y(67), n(33)], 2, 2, 'carried', [67, 33, 0, 100]],
    ['two-thirds: abstentions left out', 'two-thirds-cast', false, [y(2), n(1), a(5)], 8, 8, 'carried', [2, 1, 5, 3]],
    ['two-thirds: abstentions counted', 'two-thirds-cast', true, [y(2), n(1), a(5)], 8, 8, 'lost', [2, 1, 5, 8]],
    ['two-thirds: no votes', 'two-thirds-cast', false, [], 3, 3, 'lost', [0, 0, 0, 0]],
    ['majority-entitled: over half of the roll', 'majority-entitled', false, [y(), y(), y()], 3, 5, 'carried', [3, 0, 0, 5]],
    ['majority-entitled: absentees count against', 'majority-entitled', false, [y(), y(), n()], 3, 5, 'lost', [2, 1, 0, 5]],
    ['majority-entitled: half of the roll is a tie', 'majority-entitled', false, [y(), y()], 2, 4, 'tie', [2, 0, 0, 4]],
    ['majority-entitled: weighted roll', 'majority-entitled', false, [y(6), n(1)], 7, 11, 'carried', [6, 1, 0, 11]],
    ['majority-entitled: proxies count as their seat weight', 'majority-entitled', false, [y(2), y(2), n(3)], 7, 7, 'carried', [4, 3, 0, 7]],
    ['simple: a single yes carries against silence', 'simple', false, [y()], 10, 10, 'carried', [1, 0, 0, 1]],
  ];

  it.each(cases)('%s', (_, rule, abstentionsCount, vs, presentWeight, entitledWeight, outcome, [yes, no, abstain, base]) => {
    const r = tallyMotion({ rule, abstentionsCount, votes: votes(...vs), presentWeight, entitledWeight });
    expect(r).toMatchObject({ yes, no, abstain, base, outcome });
    expect(r.cast).toBe(yes + no + abstain);
    // `needed` is consistent with the outcome.
    if (outcome === 'carried') expect(r.yes).toBeGreaterThanOrEqual(r.needed);
    else expect(r.yes).toBeLessThan(r.needed);
  });

  it('refuses weights that are not positive integers', () => {
    expect(() => tallyMotion({ rule: 'simple', abstentionsCount: false, votes: [{ choice: 'yes', weight: 0 }], presentWeight: 1, entitledWeight: 1 })).toThrow(RangeError);
    expect(() => tallyMotion({ rule: 'simple', abstentionsCount: false, votes: [{ choice: 'yes', weight: 1.5 }], presentWeight: 1, entitledWeight: 1 })).toThrow(RangeError);
  });
});

describe('tallyElection', () => {
  const ballot = (weight: number, ...choice: string[]) => ({ choice, weight });

  it.each([
    ['one seat, clear winner', ['A', 'B', 'C'], 1, 1, [ballot(1, 'A'), ballot(1, 'A'), ballot(1, 'B')], ['A'], []],
    ['two seats, top two', ['A', 'B', 'C'], 2, 2, [ballot(1, 'A', 'B'), ballot(1, 'A', 'C'), ballot(1, 'B')], ['A', 'B'], []],
    ['tie for the last seat stays open', ['A', 'B', 'C'], 2, 2, [ballot(1, 'A', 'B'), ballot(1, 'A', 'C')], ['A'], ['B', 'C']],
    ['tie for the only seat', ['A', 'B'], 1, 1, [ballot(1, 'A'), ballot(1, 'B')], [], ['A', 'B']],
    ['a tie inside the seats elects both', ['A', 'B', 'C'], 2, 1, [ballot(1, 'A'), ballot(1, 'B')], ['A', 'B'], []],
    ['weights decide', ['A', 'B'], 1, 1, [ballot(3, 'A'), ballot(1, 'B'), ballot(1, 'B')], ['A'], []],
    ['fewer candidates with votes than seats', ['A', 'B', 'C'], 3, 3, [ballot(1, 'A')], ['A'], []],
    ['three seats from five, tie for the third', ['A', 'B', 'C', 'D', 'E'], 3, 3, [ballot(2, 'A', 'B', 'C'), ballot(1, 'C', 'D', 'E'), ballot(2, 'D')], ['C', 'D'], ['A', 'B']],
    ['three seats from five, decided', ['A', 'B', 'C', 'D', 'E'], 3, 3, [ballot(3, 'A', 'B', 'C'), ballot(1, 'C', 'D', 'E'), ballot(1, 'D')], ['C', 'A', 'B'], []],
  ] as const)('%s', (_, candidates, seats, maxChoices, vs, elected, tied) => {
    const r = tallyElection({ candidates, seats, maxChoices, votes: vs });
    expect(new Set(r.elected)).toEqual(new Set(elected));
    expect(new Set(r.tied)).toEqual(new Set(tied));
    expect(r.outcome).toBe(tied.length ? 'tie' : 'decided');
  });

  it('counts empty ballots as abstentions and weights per candidate', () => {
    const r = tallyElection({ candidates: ['A', 'B'], seats: 1, maxChoices: 1, votes: [ballot(2, 'A'), ballot(3)] });
    expect(r).toMatchObject({ abstentions: 3, cast: 5, counts: [{ candidate: 'A', votes: 2 }, { candidate: 'B', votes: 0 }] });
  });

  it.each([
    ['too many choices', { candidates: ['A', 'B'], seats: 1, maxChoices: 1, votes: [ballot(1, 'A', 'B')] }],
    ['a repeated candidate', { candidates: ['A', 'B'], seats: 2, maxChoices: 2, votes: [ballot(1, 'A', 'A')] }],
    ['an unknown candidate', { candidates: ['A'], seats: 1, maxChoices: 1, votes: [ballot(1, 'Z')] }],
    ['no seats', { candidates: ['A'], seats: 0, maxChoices: 1, votes: [] }],
  ])('refuses %s', (_, input) => {
    expect(() => tallyElection(input)).toThrow(RangeError);
  });
});
