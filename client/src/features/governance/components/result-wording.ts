import type { BallotResult, BallotView } from '@contract';

/**
 * The words under a motion's result, as translation keys and values: how many seats voted, how many
 * votes they carried when seats are weighted, and how many were needed under which rule. Pure.
 */
export interface ResultWording {
  /** `governance.result.seatsVoted`: "{{cast}} of {{count}} seats voted". */
  seats: { cast: number; count: number } | null;
  /** `governance.result.votesByWeight`, only when weights make votes differ from seats. */
  votes: { count: number } | null;
  /** `governance.result.neededToCarry` with the rule's name. */
  needed: { count: number; rule: BallotView['rule'] };
}

export function resultWording(result: Extract<BallotResult, { kind: 'motion' }>, ballot: Pick<BallotView, 'rule' | 'turnout'>): ResultWording {
  const seats = ballot.turnout ? { cast: ballot.turnout.cast, count: ballot.turnout.entitled } : null;
  const weighted = seats === null || result.cast !== seats.cast;
  return { seats, votes: weighted ? { count: result.cast } : null, needed: { count: result.needed, rule: ballot.rule } };
}
