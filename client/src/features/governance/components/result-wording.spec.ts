import { describe, expect, it } from '@jest/globals';
import { resultWording } from './result-wording';

const motion = (cast: number, needed: number) => ({ kind: 'motion' as const, yes: cast, no: 0, abstain: 0, cast, base: cast, needed, outcome: 'carried' as const });

describe('resultWording', () => {
  it('says the votes by weight when three seats carry six votes', () => {
    expect(resultWording(motion(6, 4), { rule: 'simple', turnout: { cast: 3, entitled: 3 } })).toEqual({
      seats: { cast: 3, count: 3 },
      votes: { count: 6 },
      needed: { count: 4, rule: 'simple' },
    });
  });

  it('leaves weights out when every seat has one vote', () => {
    expect(resultWording(motion(3, 2), { rule: 'two-thirds-cast', turnout: { cast: 3, entitled: 5 } })).toEqual({
      seats: { cast: 3, count: 5 },
      votes: null,
      needed: { count: 2, rule: 'two-thirds-cast' },
    });
  });

  it('speaks of votes alone when the seat count is not known', () => {
    expect(resultWording(motion(2, 2), { rule: 'majority-entitled', turnout: null })).toEqual({ seats: null, votes: { count: 2 }, needed: { count: 2, rule: 'majority-entitled' } });
  });
});
