import { buildMinutes, checkInIntervals, type MinutesAuditEntry, type MinutesInput, minutesCsv, scriptRuns, sittingWindow, winAnsiText } from './minutes';
import type { BallotRow } from './rows';

const t = (min: number) => new Date(Date.UTC(2026, 10, 27, 10, 0) + min * 60_000);
const U = { chair: 'u-chair', sec: 'u-sec', ana: 'u-ana', bo: 'u-bo', cy: 'u-cy', wang: 'u-wang' };
const names = new Map([
  [U.chair, 'Chair Ada'],
  [U.sec, 'Sam Secretary'],
  [U.ana, 'Ana'],
  [U.bo, 'Bo'],
  [U.cy, '=cmd|calc'],
  [U.wang, '王小明'],
]);

let seq = 0;
const entry = (min: number, kind: string, payload: Record<string, unknown> = {}): MinutesAuditEntry => ({ seq: ++seq, at: t(min), kind, payload, hash: `h${seq}` });

const ballotRow = (over: Partial<BallotRow>): BallotRow => ({
  id: 'b1',
  meeting_id: 'm1',
  motion_id: 'mo1',
  kind: 'motion',
  title: 'Adopt the budget',
  options: ['yes', 'no', 'abstain'],
  seats: 1,
  max_choices: 1,
  secrecy: 'roll-call',
  rule: 'simple',
  abstentions_count: false,
  allow_revote: false,
  duration_seconds: null,
  status: 'published',
  opened_at: t(20),
  voting_closed_at: null,
  key_threshold: null,
  closes_at: null,
  closed_at: t(30),
  published_at: t(31),
  quorum_override: null,
  present_weight: 4,
  entitled_weight: 5,
  result: { kind: 'motion', yes: 2, no: 1, abstain: 1, cast: 4, base: 3, needed: 2, outcome: 'carried' },
  public_key: null,
  spoiled: null,
  published_seq: null,
  published_hash: null,
  ...over,
});

const quorumState = (counted: number, required: number) => ({ entitled: 5, present: counted, represented: 0, counted, required, met: counted >= required });

function input(over: Partial<MinutesInput> = {}): MinutesInput {
  seq = 0;
  return {
    meeting: {
      id: 'm1',
      title: 'Annual general assembly',
      kind: 'general-assembly',
      scheduledAt: t(0),
      voterBasis: 'members',
      quorumRule: { kind: 'at-least', seats: 3 },
      organization: 'Library Association',
      room: 'Main hall',
      chairId: U.chair,
      secretaryId: U.sec,
    },
    names,
    agenda: [{ id: 'a1', position: 1, title: 'Budget', description: 'The 2027 budget' }],
    motions: [
      { id: 'mo1', agendaItemId: 'a1', amendsMotionId: null, title: 'Adopt the budget', text: 'The assembly adopts the budget.', moverId: U.chair, seconderId: U.ana, status: 'carried' },
      { id: 'mo2', agendaItemId: null, amendsMotionId: 'mo1', title: 'Raise the book fund', text: 'Add 5%.', moverId: U.bo, seconderId: null, status: 'withdrawn' },
      { id: 'mo3', agendaItemId: null, amendsMotionId: 'mo1', title: 'Cut travel', text: 'Cut it.', moverId: U.ana, seconderId: null, status: 'withdrawn' },
    ],
    ballots: [
      {
        row: ballotRow({}),
        entitledSeats: 5,
        cast: 4,
        votes: [
          { seatId: U.ana, label: 'Ana', weight: 1, choice: 'yes', voterId: U.ana, asProxy: false },
          { seatId: U.bo, label: 'Bo', weight: 1, choice: 'no', voterId: U.ana, asProxy: true },
          { seatId: U.cy, label: '=cmd|calc', weight: 1, choice: 'abstain', voterId: U.cy, asProxy: false },
          { seatId: U.wang, label: '王小明', weight: 1, choice: null, voterId: null, asProxy: false },
          { seatId: U.chair, label: 'Chair Ada', weight: 1, choice: 'yes', voterId: U.chair, asProxy: false },
        ],
      },
      {
        row: ballotRow({ id: 'b2', motion_id: null, kind: 'election', title: 'Treasurer', options: ['Ana', 'Bo'], secrecy: 'secret', status: 'closed', published_at: null, opened_at: t(40), closed_at: t(45), result: null }),
        entitledSeats: 5,
        cast: 2,
        votes: null,
      },
    ],
    roomVisits: [
      { userId: U.ana, displayName: 'Ana (phone)', joinedAt: t(-5), leftAt: t(35) },
      { userId: U.wang, displayName: '王小明', joinedAt: t(2), leftAt: null },
    ],
    presence: [
      { userId: U.ana, event: 'check-in', at: t(10) },
      { userId: U.bo, event: 'check-out', at: t(11) },
      { userId: U.bo, event: 'check-in', at: t(12) },
      { userId: U.bo, event: 'check-in', at: t(13) },
      { userId: U.bo, event: 'check-out', at: t(25) },
      { userId: U.cy, event: 'check-in', at: t(15) },
    ],
    audit: [
      entry(-600, 'meeting.created'),
      entry(-500, 'motion.moved', { motionId: 'mo1' }),
      entry(12, 'motion.withdraw', { motionId: 'mo2', by: U.chair }),
      entry(13, 'motion.withdraw', { motionId: 'mo3', by: U.ana }),
      entry(20, 'roll.frozen', { ballotId: 'b1' }),
      entry(20, 'ballot.opened', { ballotId: 'b1', title: 'Adopt the budget', quorum: quorumState(4, 3) }),
      entry(30, 'ballot.closed', { ballotId: 'b1', by: U.chair }),
      entry(40, 'quorum.override', { ballotId: 'b2', by: U.chair, reason: 'Adjourned sitting', quorum: quorumState(2, 3) }),
      entry(40, 'ballot.opened', { ballotId: 'b2', title: 'Treasurer', quorum: quorumState(2, 3) }),
      entry(45, 'ballot.closed', { ballotId: 'b2', by: 'timer', result: { kind: 'election', counts: [{ candidate: 'Ana', votes: 2 }, { candidate: 'Bo', votes: 0 }], elected: ['Ana'], tied: [], abstentions: 0, cast: 2, outcome: 'decided' } }),
      entry(50, 'minutes.generated', { format: 'pdf' }),
    ],
    generatedAt: t(60),
    generatedBy: U.sec,
    ...over,
  };
}

describe('sittingWindow', () => {
  it.each([
    ['spans business and check-ins, not preparation', [entry(-600, 'meeting.created'), entry(30, 'ballot.opened')], [{ at: t(-10) }], [-10, 30]],
    ['is the day it really sat, not the day it was scheduled for', [entry(-3 * 1440, 'ballot.opened'), entry(-3 * 1440 + 60, 'ballot.closed')], [], [-3 * 1440, -3 * 1440 + 60]],
    ['is the scheduled time alone when nothing happened', [entry(-60, 'agenda.item-added'), entry(-50, 'motion.submit')], [], [0, 0]],
    ['ignores the minutes it produced', [entry(5, 'ballot.closed'), entry(500, 'minutes.generated')], [], [5, 5]],
  ] as const)('%s', (_, audit, presence, [from, to]) => {
    expect(sittingWindow(t(0), audit, presence)).toEqual({ from: t(from), to: t(to) });
  });
});

describe('checkInIntervals', () => {
  it('pairs check-ins with check-outs, ignores repeats and stray check-outs, and runs an open one to the end', () => {
    const out = checkInIntervals(input().presence, names, t(50));
    expect(out.map((i) => [i.userId, i.joinedAt, i.leftAt, i.open])).toEqual([
      [U.bo, t(12), t(25), false],
      [U.ana, t(10), t(50), true],
      [U.cy, t(15), t(50), true],
    ]);
  });
});

describe('buildMinutes', () => {
  const doc = buildMinutes(input());

  it('counts a person in the room and checked in once, and says how they were recorded', () => {
    const ana = doc.attendance.find((a) => a.userId === U.ana)!;
    // Room t(-5)..t(35) and check-in t(10)..end of sitting t(45): 50 minutes, not 75.
    expect(ana).toEqual({ userId: U.ana, name: 'Ana', firstJoin: t(-5).toISOString(), lastLeave: null, minutes: 50, sources: ['room', 'check-in'] });
    expect(doc.attendance.find((a) => a.userId === U.bo)).toMatchObject({ lastLeave: t(25).toISOString(), minutes: 13, sources: ['check-in'] });
    // Still in the room: counted to the time of generation.
    expect(doc.attendance.find((a) => a.userId === U.wang)).toMatchObject({ name: '王小明', lastLeave: null, minutes: 58, sources: ['room'] });
    expect(doc.attendance.map((a) => a.name)).toEqual(['Ana', '王小明', 'Bo', '=cmd|calc']);
  });

  it('logs each quorum check with the override, who gave it and why', () => {
    expect(doc.quorum.map((q) => [q.ballotRef, q.quorum.counted, q.quorum.required, q.quorum.met, q.override && [q.override.by.name, q.override.reason]])).toEqual([
      ['B1', 4, 3, true, null],
      ['B2', 2, 3, false, ['Chair Ada', 'Adjourned sitting']],
    ]);
  });

  it('numbers motions and shows amendments, movers, seconders and outcomes', () => {
    expect(doc.motions.map((m) => [m.ref, m.amends, m.agendaRef, m.mover.name, m.seconder?.name ?? null, m.statusLabel])).toEqual([
      ['M1', null, '1', 'Chair Ada', 'Ana', 'Carried'],
      ['M2', 'M1', null, 'Bo', null, 'Withdrawn'],
      ['M3', 'M1', null, 'Ana', null, 'Withdrawn'],
    ]);
  });

  it('lists every seat of a closed roll-call ballot, proxies and non-voters included', () => {
    const [b1] = doc.ballots;
    expect(b1).toMatchObject({ ref: 'B1', motionRef: 'M1', closedBy: 'Chair Ada', ruleLabel: 'Simple majority of votes cast', resultLabel: 'Carried (yes 2, no 1, abstain 1; 2 needed of 3)' });
    expect(b1!.votes).toEqual([
      { seat: 'Ana', weight: 1, choice: 'Yes', proxy: null },
      { seat: 'Bo', weight: 1, choice: 'No', proxy: 'Ana' },
      { seat: '=cmd|calc', weight: 1, choice: 'Abstain', proxy: null },
      { seat: '王小明', weight: 1, choice: 'Did not vote', proxy: null },
      { seat: 'Chair Ada', weight: 1, choice: 'Yes', proxy: null },
    ]);
  });

  it('never lists votes of a secret ballot, and takes a result missing from the row from the audit log', () => {
    const b2 = doc.ballots[1]!;
    expect(b2).toMatchObject({ ref: 'B2', votes: null, closedBy: 'the time limit', statusLabel: 'Closed, result not yet announced', resultLabel: 'Elected: Ana' });
  });

  it('shows no votes while a roll-call ballot is still open', () => {
    const open = input();
    const b = open.ballots[0]!;
    const doc2 = buildMinutes({ ...open, ballots: [{ ...b, row: { ...b.row, status: 'open', closed_at: null, published_at: null, result: null } }] });
    expect(doc2.ballots[0]).toMatchObject({ votes: null, result: null, statusLabel: 'Voting open' });
  });

  it("records the chair's rulings: overrides and withdrawing someone else's motion, not a mover withdrawing their own", () => {
    expect(doc.rulings.map((r) => [r.ref, r.by.name, r.what, r.reason])).toEqual([
      ['M2', 'Chair Ada', 'Withdrew motion M2 "Raise the book fund"', null],
      ['B2', 'Chair Ada', 'Opened ballot B2 "Treasurer" without quorum (2 of 3 seats present or represented)', 'Adjourned sitting'],
    ]);
  });

  it('cites the audit entry it is complete up to', () => {
    expect(doc.record).toEqual({ generatedAt: t(60).toISOString(), generatedBy: { id: U.sec, name: 'Sam Secretary' }, auditSeq: 11, auditHash: 'h11', keyId: null });
    // From its first business, not its scheduled time: the minutes are dated by the sitting.
    expect(doc.sitting).toEqual({ from: t(10).toISOString(), to: t(45).toISOString() });
  });
});

describe('minutesCsv', () => {
  const csv = minutesCsv(buildMinutes(input()));
  // A byte-order mark first, so spreadsheets read Chinese and Arabic names as UTF-8.
  const lines = csv.replace(/^\uFEFF/, '').trimEnd().split('\r\n');

  it('puts the section first on every row', () => {
    expect(lines[0]).toBe('section,ref,at,until,name,title,value,detail');
    const sections = new Set(lines.slice(1).map((l) => l.split(',')[0]));
    expect([...sections]).toEqual(['meeting', 'officer', 'sitting', 'attendance', 'quorum', 'agenda', 'motion', 'motion-text', 'ballot', 'result', 'vote', 'ruling', 'record']);
  });

  it('has a row per roll-call vote, and defuses formulas in names', () => {
    expect(lines.filter((l) => l.startsWith('vote,'))).toEqual([
      'vote,B1,,,Ana,Adopt the budget,Yes,',
      'vote,B1,,,Bo,Adopt the budget,No,by proxy: Ana',
      "vote,B1,,,'=cmd|calc,Adopt the budget,Abstain,",
      'vote,B1,,,王小明,Adopt the budget,Did not vote,',
      'vote,B1,,,Chair Ada,Adopt the budget,Yes,',
    ]);
    expect(csv).not.toMatch(/(^|,)=cmd/m);
  });

  it('quotes cells with commas and gives the results and the override reason', () => {
    expect(lines).toContain(`result,B1,${t(30).toISOString()},${t(31).toISOString()},,outcome,carried,"Carried (yes 2, no 1, abstain 1; 2 needed of 3)"`);
    expect(lines.find((l) => l.startsWith('quorum,B2'))).toContain('overridden: Adjourned sitting');
    expect(lines.filter((l) => l.startsWith('result,B2')).map((l) => l.split(',').slice(5, 8))).toEqual([
      ['Ana', '2', 'elected'],
      ['Bo', '0', ''],
      ['abstentions', '0', ''],
      ['outcome', 'decided', 'Elected: Ana'],
    ]);
  });
});

describe('recordings in the minutes', () => {
  const files = [
    { path: 'composite.mp4', kind: 'composite', bytes: 1000, sha256: 'a'.repeat(64) },
    { path: 'hls/master.m3u8', kind: 'hls', bytes: 300, sha256: 'b'.repeat(64) },
    { path: 'hls/video/seg000.m4s', kind: 'hls', bytes: 90, sha256: 'c'.repeat(64) },
  ];
  const recordings = [
    { id: 'r1', title: null, status: 'ready' as const, startedAt: t(0), endedAt: t(50), deletedAt: null, deletionReason: null, files },
    { id: 'r2', title: '录像 2', status: 'deleted' as const, startedAt: t(60), endedAt: t(70), deletedAt: t(900), deletionReason: 'Recorded by mistake', files: files.slice(0, 1) },
  ];

  it('lists each recording with every file and its hash, in the meeting’s language, and keeps archiving out of the sitting', () => {
    const base = input();
    const doc = buildMinutes({
      ...base,
      meeting: { ...base.meeting, language: 'zh' },
      audit: [...base.audit, entry(2000, 'recording.archived', { recordingId: 'r1' }), entry(2100, 'recording.deleted', { recordingId: 'r2', by: U.chair })],
      recordings,
    });
    expect(doc.sitting.to).toBe(buildMinutes(base).sitting.to);
    expect(doc.recordings.map((r) => [r.title, r.statusLabel, r.files.length, r.deletionReason])).toEqual([
      ['录像', '可供观看', 3, null],
      ['录像 2', '已删除', 1, 'Recorded by mistake'],
    ]);
    const csv = minutesCsv(doc);
    expect(csv).toContain(`recording-file,r1,,,hls/video/seg000.m4s,,90,sha256:${'c'.repeat(64)}`);
    expect(csv).toContain('recording,r2,2026-11-27T11:00:00.000Z,2026-11-27T11:10:00.000Z,,录像 2,已删除,deleted 2026-11-28T01:00:00.000Z: Recorded by mistake');
  });

  it('has no recordings section when the meeting has none', () => {
    expect(buildMinutes(input()).recordings).toEqual([]);
    expect(minutesCsv(buildMinutes(input()))).not.toContain('recording');
  });
});

describe('scriptRuns', () => {
  it.each([
    ['plain Latin', 'Łukasz Żółć', [['body', 'Łukasz Żółć', false]]],
    ['Chinese within Latin', 'Chair 王小明 (Beijing)', [['body', 'Chair ', false], ['cjk', '王小明 ', false], ['body', '(Beijing)', false]]],
    ['Arabic, in logical order, right to left', 'محمد علي', [['arabic', 'محمد علي', true]]],
    ['Arabic after Latin', 'By محمد علي', [['body', 'By ', false], ['arabic', 'محمد علي', true]]],
    ['Hebrew', 'דוד לוי', [['hebrew', 'דוד לוי', true]]],
  ] as const)('%s', (_, text, runs) => {
    expect(scriptRuns(text).map((r) => [r.script, r.text, r.rtl])).toEqual(runs);
  });
});

describe('winAnsiText', () => {
  it.each([
    ['Łukasz Żółć', 'Lukasz Zólc'],
    ['Dvořák – “Ödön”', 'Dvorák – “Ödön”'],
    ['王小明', '???'],
    ['€ 5 → 6', '€ 5 -> 6'],
  ])('%s → %s', (input, expected) => {
    expect(winAnsiText(input)).toBe(expected);
  });
});
