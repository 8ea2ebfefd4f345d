import { BALLOT_STATES, FINAL_MOTION_STATES, MOTION_STATES, type BallotEvent, type MotionEvent, canBeAmended, isFinalMotionState, nextBallotState, nextMotionState } from './ballot-state';

describe('ballot state machine', () => {
  const legal: Record<string, string> = {
    'draft/open': 'open',
    'open/close': 'closed',
    'open/end-voting': 'counting',
    'counting/count': 'closed',
    'closed/publish': 'published',
  };
  const events: BallotEvent[] = ['open', 'close', 'end-voting', 'count', 'publish'];
  it.each(BALLOT_STATES.flatMap((s) => events.map((e) => [s, e] as const)))('from %s on %s', (state, event) => {
    expect(nextBallotState(state, event)).toBe(legal[`${state}/${event}`] ?? null);
  });
});

describe('motion state machine', () => {
  const legal: Record<string, string> = {
    'draft/submit': 'submitted',
    'draft/withdraw': 'withdrawn',
    'submitted/second': 'seconded',
    'submitted/withdraw': 'withdrawn',
    'seconded/debate': 'debate',
    'seconded/withdraw': 'withdrawn',
    'debate/vote': 'voting',
    'debate/withdraw': 'withdrawn',
    'debate/refer': 'referred',
    'voting/carry': 'carried',
    'voting/lose': 'lost',
  };
  const events: MotionEvent[] = ['submit', 'second', 'debate', 'vote', 'carry', 'lose', 'withdraw', 'refer'];
  it.each(MOTION_STATES.flatMap((s) => events.map((e) => [s, e] as const)))('from %s on %s', (state, event) => {
    expect(nextMotionState(state, event)).toBe(legal[`${state}/${event}`] ?? null);
  });

  it('knows the final states', () => {
    expect(MOTION_STATES.filter(isFinalMotionState)).toEqual(['carried', 'lost', 'withdrawn', 'referred']);
  });

  it('lets a motion be amended only before its vote', () => {
    expect(MOTION_STATES.filter(canBeAmended)).toEqual(['draft', 'submitted', 'seconded', 'debate']);
    expect(FINAL_MOTION_STATES).toEqual(['carried', 'lost', 'withdrawn', 'referred']);
  });
});
