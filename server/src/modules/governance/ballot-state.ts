/** The life of a ballot and of a motion. Every move not listed is refused. */

export const BALLOT_STATES = ['draft', 'open', 'counting', 'closed', 'published'] as const;
export type BallotState = (typeof BALLOT_STATES)[number];
/**
 * `close` counts at once (a roll-call ballot); `end-voting` stops a secret ballot and waits for its
 * tellers' key shares, and `count` follows once enough of them are released.
 */
export type BallotEvent = 'open' | 'close' | 'end-voting' | 'count' | 'publish';

const BALLOT_MOVES: Record<BallotState, Partial<Record<BallotEvent, BallotState>>> = {
  draft: { open: 'open' },
  open: { close: 'closed', 'end-voting': 'counting' },
  counting: { count: 'closed' },
  closed: { publish: 'published' },
  published: {},
};

/** The next state, or null when the move is illegal from `state`. */
export const nextBallotState = (state: BallotState, event: BallotEvent): BallotState | null => BALLOT_MOVES[state][event] ?? null;

export const MOTION_STATES = ['draft', 'submitted', 'seconded', 'debate', 'voting', 'carried', 'lost', 'withdrawn', 'referred'] as const;
export type MotionState = (typeof MOTION_STATES)[number];
export type MotionEvent = 'submit' | 'second' | 'debate' | 'vote' | 'carry' | 'lose' | 'withdraw' | 'refer';

const MOTION_MOVES: Record<MotionState, Partial<Record<MotionEvent, MotionState>>> = {
  draft: { submit: 'submitted', withdraw: 'withdrawn' },
  submitted: { second: 'seconded', withdraw: 'withdrawn' },
  seconded: { debate: 'debate', withdraw: 'withdrawn' },
  debate: { vote: 'voting', withdraw: 'withdrawn', refer: 'referred' },
  voting: { carry: 'carried', lose: 'lost' },
  carried: {},
  lost: {},
  withdrawn: {},
  referred: {},
};

export const nextMotionState = (state: MotionState, event: MotionEvent): MotionState | null => MOTION_MOVES[state][event] ?? null;

export const isFinalMotionState = (s: MotionState): boolean => Object.keys(MOTION_MOVES[s]).length === 0;

/** States in which a motion is still open to amendment: before the vote, and not ended. */
export const canBeAmended = (s: MotionState): boolean => !isFinalMotionState(s) && s !== 'voting';

/** The motion states from which nothing more happens, for queries that must leave them out. */
export const FINAL_MOTION_STATES: readonly MotionState[] = MOTION_STATES.filter(isFinalMotionState);
