import type { PollStatus } from '../../contract';
import { choicesProblem, pollResultsCsv, pollTransition } from './polls';

describe('pollTransition', () => {
  it.each<[PollStatus, 'open' | 'close', string]>([
    ['draft', 'open', 'open'],
    ['open', 'open', 'open'],
    ['closed', 'open', 'POLL_CLOSED'],
    ['draft', 'close', 'CONFLICT'],
    ['open', 'close', 'closed'],
    ['closed', 'close', 'closed'],
  ])('%s + %s -> %s', (status, command, next) => {
    expect(pollTransition(status, command)).toBe(next);
  });
});

describe('choicesProblem', () => {
  const single = { options: ['a', 'b', 'c'], multiple: false };
  const multi = { ...single, multiple: true };
  it.each<[typeof single, number[], boolean]>([
    [single, [0], true],
    [single, [2], true],
    [single, [0, 1], false],
    [single, [], false],
    [single, [3], false],
    [single, [-1], false],
    [single, [0.5], false],
    [multi, [0, 2], true],
    [multi, [0, 1, 2], true],
    [multi, [1, 1], false],
    [multi, [0, 3], false],
  ])('%j with %j is valid: %s', (poll, choices, ok) => {
    expect(choicesProblem(poll, choices) === null).toBe(ok);
  });
});

describe('pollResultsCsv', () => {
  const poll = { question: 'Lunch?', options: ['Yes', '=cmd|calc'], status: 'closed' as const, counts: [2, 1], voters: 3 };

  it('lists counts and, for a named poll, who chose what, with formulas neutralised', () => {
    const csv = pollResultsCsv({ ...poll, anonymous: false }, [
      { voterName: 'Ann', choices: [0] },
      { voterName: '@Bob, Jr.', choices: [1] },
    ]);
    expect(csv.split('\r\n')).toEqual([
      '\uFEFFQuestion,Lunch?',
      'Status,closed',
      'Anonymous,no',
      'Voters,3',
      '',
      'Option,Votes',
      'Yes,2',
      "'=cmd|calc,1",
      '',
      "Voter,Yes,'=cmd|calc",
      'Ann,1,0',
      `"'@Bob, Jr.",0,1`,
      '',
    ]);
  });

  it('has no per-voter rows for an anonymous poll, even if ballots were passed', () => {
    const csv = pollResultsCsv({ ...poll, anonymous: true }, [{ voterName: 'Ann', choices: [0] }]);
    expect(csv).not.toContain('Ann');
    expect(csv).not.toContain('Voter,');
  });
});
