import type { ErrorCode, PollInfo, PollStatus } from '../../contract';
import { type CsvCell, toCsv } from '../../common/csv';

/**
 * Rules of quick polls: the draft -> open -> closed life cycle, which choices a vote may carry, and
 * the results sheet hosts download.
 */

export type PollCommand = 'open' | 'close';

/** The next status, or the refusal. Repeating the command that brought the poll here changes nothing. */
export function pollTransition(status: PollStatus, command: PollCommand): PollStatus | ErrorCode {
  switch (command) {
    case 'open':
      return status === 'closed' ? 'POLL_CLOSED' : 'open';
    case 'close':
      return status === 'draft' ? 'CONFLICT' : 'closed';
  }
}

/** Why these choices are not a valid vote in this poll, or null when they are. */
export function choicesProblem(poll: { options: readonly string[]; multiple: boolean }, choices: readonly number[]): string | null {
  if (choices.length === 0) return 'choose at least one option';
  if (!poll.multiple && choices.length !== 1) return 'this poll takes exactly one choice';
  if (new Set(choices).size !== choices.length) return 'choices must differ';
  if (choices.some((c) => !Number.isInteger(c) || c < 0 || c >= poll.options.length)) return 'no such option';
  return null;
}

export interface Ballot {
  voterName: string;
  choices: readonly number[];
}

/**
 * The results sheet: the poll, the counts per option, and for a named poll one row per voter with
 * a 1 under each option chosen. An anonymous poll has no per-voter section: nobody can know who chose what.
 */
export function pollResultsCsv(poll: Pick<PollInfo, 'question' | 'options' | 'anonymous' | 'status' | 'counts' | 'voters'>, ballots: readonly Ballot[] | null): string {
  const rows: CsvCell[][] = [
    ['Question', poll.question],
    ['Status', poll.status],
    ['Anonymous', poll.anonymous ? 'yes' : 'no'],
    ['Voters', poll.voters],
    [],
    ['Option', 'Votes'],
    ...poll.options.map((o, i): CsvCell[] => [o, poll.counts[i] ?? 0]),
  ];
  if (!poll.anonymous && ballots) {
    rows.push([], ['Voter', ...poll.options]);
    for (const b of ballots) rows.push([b.voterName, ...poll.options.map((_, i) => (b.choices.includes(i) ? 1 : 0))]);
  }
  return toCsv(rows);
}
