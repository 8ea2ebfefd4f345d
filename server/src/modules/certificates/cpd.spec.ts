import type { AttendanceInterval } from '../rooms/attendance';
import { type CpdThreshold, intersectSpans, measureCpd, measureSession, type SessionTrace, unionSpans } from './cpd';

const T0 = Date.UTC(2026, 10, 27, 10, 0);
const t = (min: number) => new Date(T0 + min * 60_000);
const visit = (from: number, to: number | null, gaps: [number, number][] = []): AttendanceInterval => ({
  userId: 'u',
  displayName: 'Ana',
  joinedAt: t(from),
  leftAt: to === null ? null : t(to),
  gaps: gaps.map(([a, b]) => ({ from: t(a), to: t(b) })),
});
const session = (o: Partial<SessionTrace> & { visits: AttendanceInterval[] }): SessionTrace => ({
  sessionId: 's1',
  title: 'Opening',
  startsAt: t(0),
  endsAt: t(60),
  status: 'scheduled',
  measured: true,
  live: [{ startedAt: t(-10), endedAt: t(70) }],
  ...o,
});
const minutesOf = (s: SessionTrace, now = t(500)) => {
  const m = measureSession(s, now);
  return { live: m.liveMs / 60_000, attended: m.attendedMs / 60_000 };
};

describe('span algebra', () => {
  it.each([
    [[], []],
    [[[0, 1]], [[0, 1]]],
    [[[3, 5], [0, 1]], [[0, 1], [3, 5]]],
    [[[0, 5], [1, 2]], [[0, 5]]],
    [[[0, 2], [2, 4]], [[0, 4]]],
    [[[0, 2], [1, 4], [6, 7], [6.5, 9]], [[0, 4], [6, 9]]],
    [[[5, 5], [4, 3]], []],
  ] as [number, number][][][])('merges %j into %j', (input, expected) => {
    expect(unionSpans(input as [number, number][])).toEqual(expected);
  });

  it('intersects two sets of spans', () => {
    expect(intersectSpans([[0, 10], [20, 30]], [[5, 25]])).toEqual([[5, 10], [20, 25]]);
    expect(intersectSpans([[0, 10]], [[10, 20]])).toEqual([]);
    expect(intersectSpans([[0, 4], [2, 8]], [[1, 3], [5, 6], [7, 30]])).toEqual([[1, 3], [5, 6], [7, 8]]);
  });
});

describe('measureSession', () => {
  it('counts two devices at once (two tabs) once', () => {
    expect(minutesOf(session({ visits: [visit(0, 30), visit(10, 40)] }))).toEqual({ live: 60, attended: 40 });
  });

  it('adds up rejoins and leaves the time between them out', () => {
    expect(minutesOf(session({ visits: [visit(0, 10), visit(20, 25), visit(50, 55)] })).attended).toBe(20);
  });

  it('does not count time before the slot (doors open early) or after it (overrun)', () => {
    expect(minutesOf(session({ visits: [visit(-10, 5), visit(55, 70)] })).attended).toBe(10);
  });

  it('measures a session cut short by its live time, not its slot', () => {
    const cut = session({ live: [{ startedAt: t(-5), endedAt: t(20) }], visits: [visit(0, 60)] });
    expect(minutesOf(cut)).toEqual({ live: 20, attended: 20 });
  });

  it('measures a late start and a room that went down and came back', () => {
    const s = session({ live: [{ startedAt: t(10), endedAt: t(30) }, { startedAt: t(35), endedAt: null }], visits: [visit(0, 60)] });
    expect(minutesOf(s, t(50))).toEqual({ live: 35, attended: 35 });
  });

  it('leaves out the gaps of a server restart inside a visit', () => {
    expect(minutesOf(session({ visits: [visit(0, 30, [[10, 15]])] })).attended).toBe(25);
  });

  it('counts an open visit and a live room up to now, within the slot', () => {
    expect(minutesOf(session({ live: [{ startedAt: t(0), endedAt: null }], visits: [visit(5, null)] }), t(20))).toEqual({ live: 20, attended: 15 });
  });

  it('measures nothing for a cancelled session or one without a room', () => {
    expect(minutesOf(session({ status: 'cancelled', visits: [visit(0, 60)] }))).toEqual({ live: 0, attended: 0 });
    expect(minutesOf(session({ measured: false, visits: [visit(0, 60)] }))).toEqual({ live: 0, attended: 0 });
  });

  it('counts nothing while the room was not live, even if a visit row says so', () => {
    expect(minutesOf(session({ live: [], visits: [visit(0, 60)] }))).toEqual({ live: 0, attended: 0 });
  });
});

describe('measureCpd', () => {
  const two = (a: AttendanceInterval[], b: AttendanceInterval[]): SessionTrace[] => [
    session({ sessionId: 'a', visits: a }),
    session({ sessionId: 'b', title: 'Panel', startsAt: t(120), endsAt: t(180), live: [{ startedAt: t(120), endedAt: t(150) }], visits: b }),
  ];

  it('sums minutes over the programme against a minutes threshold, met exactly at the threshold', () => {
    const sessions = two([visit(0, 30)], [visit(120, 135)]);
    expect(measureCpd({ mode: 'minutes', value: 45 }, sessions, t(500))).toMatchObject({ totalMinutes: 45, eligible: true, progress: 1 });
    expect(measureCpd({ mode: 'minutes', value: 46 }, sessions, t(500))).toMatchObject({ totalMinutes: 45, eligible: false });
  });

  it('needs the percent in every live session, against each session’s live time', () => {
    // Session b was live for 30 minutes: 15 of them is 50 %.
    const sessions = two([visit(0, 30)], [visit(120, 135)]);
    const at50 = measureCpd({ mode: 'percent', value: 50 }, sessions, t(500));
    expect(at50.eligible).toBe(true);
    expect(at50.sessions.map((s) => [s.percent, s.met])).toEqual([[50, true], [50, true]]);
    const at51 = measureCpd({ mode: 'percent', value: 51 }, sessions, t(500));
    expect(at51.eligible).toBe(false);
    expect(at51.progress).toBeCloseTo(50 / 51, 5);
  });

  it('does not hold a session that never went live against anyone, but earns nothing with none live', () => {
    const sessions = [session({ visits: [visit(0, 60)] }), session({ sessionId: 'x', live: [], visits: [] })];
    expect(measureCpd({ mode: 'percent', value: 90 }, sessions, t(500)).eligible).toBe(true);
    expect(measureCpd({ mode: 'percent', value: 0 }, [session({ live: [], visits: [] })], t(500)).eligible).toBe(false);
  });

  it('gives nothing for no attendance even at a zero threshold', () => {
    expect(measureCpd({ mode: 'minutes', value: 0 }, two([], []), t(500)).eligible).toBe(false);
  });

  /**
   * Generated traces checked against a second, independent measure: every second of the day is
   * looked at on its own (in the slot? room live? the person in on any device, outside a gap?).
   */
  it('agrees with a second-by-second count over generated traces of devices, rejoins and cuts', () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const sec = (s: number) => new Date(T0 + s * 1000);
    let attendedRounds = 0;
    for (let round = 0; round < 300; round++) {
      const start = rnd(600);
      const end = start + 60 + rnd(1200);
      const now = rnd(5) === 0 ? start + rnd(end - start + 300) : 4000;
      // Spans start around the slot: before it, inside it, or (rarely) after it.
      const near = () => Math.max(0, start - 300 + rnd(end - start + 600));
      const live = Array.from({ length: rnd(3) + (rnd(6) ? 1 : 0) }, () => {
        const a = near();
        return { startedAt: sec(a), endedAt: rnd(4) ? sec(a + rnd(900)) : null };
      });
      const visits: AttendanceInterval[] = Array.from({ length: rnd(6) }, () => {
        const a = near();
        const b = rnd(5) ? a + rnd(900) : null;
        const gaps = rnd(3) ? [] : [{ from: sec(a + rnd(60)), to: sec(a + 60 + rnd(60)) }];
        return { userId: 'u', displayName: 'Ana', joinedAt: sec(a), leftAt: b === null ? null : sec(b), gaps };
      });
      const trace: SessionTrace = { sessionId: 's', title: 'S', startsAt: sec(start), endsAt: sec(end), status: 'scheduled', measured: true, live, visits };
      let liveS = 0;
      let attendedS = 0;
      for (let s = 0; s < 4000; s++) {
        const mid = s + 0.5;
        const within = mid >= start && mid < end && mid < now;
        const isLive = live.some((l) => mid >= (l.startedAt.getTime() - T0) / 1000 && mid < ((l.endedAt?.getTime() ?? T0 + now * 1000) - T0) / 1000);
        const present = visits.some((v) => {
          const a = (v.joinedAt.getTime() - T0) / 1000;
          const b = v.leftAt ? (v.leftAt.getTime() - T0) / 1000 : now;
          const inGap = (v.gaps ?? []).some((g) => mid >= (new Date(g.from).getTime() - T0) / 1000 && mid < (new Date(g.to).getTime() - T0) / 1000);
          return mid >= a && mid < b && !inGap;
        });
        if (within && isLive) {
          liveS++;
          if (present) attendedS++;
        }
      }
      const m = measureSession(trace, sec(now));
      if (attendedS > 60) attendedRounds++;
      expect({ round, live: m.liveMs / 1000, attended: m.attendedMs / 1000 }).toEqual({ round, live: liveS, attended: attendedS });
      // And the certificate decision follows the measure exactly at the boundary.
      const need = Math.floor(attendedS / 60);
      const th: CpdThreshold = { mode: 'minutes', value: need };
      expect(measureCpd(th, [trace], sec(now)).eligible).toBe(attendedS > 0);
      expect(measureCpd({ mode: 'minutes', value: need + 1 }, [trace], sec(now)).eligible).toBe(false);
    }
    // The generator makes real attendance most of the time, not only empty traces.
    expect(attendedRounds).toBeGreaterThan(90);
  });
});
