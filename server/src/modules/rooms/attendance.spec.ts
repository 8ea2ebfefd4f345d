import { summarizeAttendance } from './attendance';

const t = (min: number) => new Date(Date.UTC(2026, 10, 27, 10, 0) + min * 60_000);

describe('summarizeAttendance', () => {
  it('adds up separate visits and keeps first join and last leave', () => {
    const [s] = summarizeAttendance(
      [
        { userId: 'a', displayName: 'Ana', joinedAt: t(0), leftAt: t(10) },
        { userId: 'a', displayName: 'Ana', joinedAt: t(20), leftAt: t(25) },
      ],
      t(60),
    );
    expect(s).toEqual({ userId: 'a', displayName: 'Ana', firstJoin: t(0).toISOString(), lastLeave: t(25).toISOString(), minutes: 15, joins: 2 });
  });

  it('leaves the time away during a server restart out of a continued visit, still one join', () => {
    const [s] = summarizeAttendance([{ userId: 'a', displayName: 'Ana', joinedAt: t(0), leftAt: t(30), gaps: [{ from: t(10).toISOString(), to: t(12).toISOString() }, { from: t(20), to: t(21) }] }], t(60));
    expect(s).toMatchObject({ firstJoin: t(0).toISOString(), lastLeave: t(30).toISOString(), minutes: 27, joins: 1 });
  });

  it('counts an open visit with a gap up to now', () => {
    const [s] = summarizeAttendance([{ userId: 'a', displayName: 'Ana', joinedAt: t(0), leftAt: null, gaps: [{ from: t(5), to: t(8) }] }], t(10));
    expect(s!.minutes).toBe(7);
  });

  it('counts overlapping devices once', () => {
    const [s] = summarizeAttendance(
      [
        { userId: 'a', displayName: 'Ana', joinedAt: t(0), leftAt: t(30) },
        { userId: 'a', displayName: 'Ana (phone)', joinedAt: t(10), leftAt: t(40) },
        { userId: 'a', displayName: 'Ana', joinedAt: t(35), leftAt: t(38) },
      ],
      t(60),
    );
    expect(s!.minutes).toBe(40);
    expect(s!.displayName).toBe('Ana');
    expect(s!.joins).toBe(3);
  });

  it('counts someone still in up to now, with no last leave', () => {
    const [s] = summarizeAttendance([{ userId: 'b', displayName: 'Bo', joinedAt: t(5), leftAt: null }], t(17.5));
    expect(s).toMatchObject({ minutes: 12.5, lastLeave: null });
  });

  it('sorts people by first join', () => {
    const out = summarizeAttendance(
      [
        { userId: 'late', displayName: 'Late', joinedAt: t(9), leftAt: t(10) },
        { userId: 'early', displayName: 'Early', joinedAt: t(1), leftAt: t(2) },
      ],
      t(20),
    );
    expect(out.map((o) => o.userId)).toEqual(['early', 'late']);
  });

  it('returns nothing for no rows', () => {
    expect(summarizeAttendance([], t(0))).toEqual([]);
  });
});
