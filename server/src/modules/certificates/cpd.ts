import { type AttendanceInterval, presentSpans } from '../rooms/attendance';

/**
 * Continuing-professional-development credit, measured from attendance. Pure: the service reads the
 * rows, this decides.
 *
 * The rule, per session of the programme:
 * - Its **live time** is when its room was actually live (a room session was running) *and* the
 *   session was scheduled: the union of the room's live spans, cut to [startsAt, endsAt]. A session
 *   that started late or was cut short has less live time; time before the slot (doors open early)
 *   or after it (an overrun) is not part of the session. A room live span still open counts up to now.
 * - A person's **attended time** is their presence in that room (every device and every rejoin,
 *   overlapping visits counted once, gaps of a restart left out) cut to the session's live time.
 * - Cancelled sessions, and sessions with no room, are not measured.
 *
 * The event's threshold is either a number of **minutes** over the whole programme (the sum of
 * attended time of every measured session), or a **percent** that must be met in *each* session that
 * was live (attended / live time); sessions never live do not count against anyone, and a programme
 * with no live session earns nothing.
 */

export type Span = readonly [start: number, end: number];

export type CpdThreshold = { mode: 'minutes'; value: number } | { mode: 'percent'; value: number };

/** The spans merged: sorted, overlapping or touching spans joined, empty ones dropped. */
export function unionSpans(spans: readonly Span[]): Span[] {
  const sorted = spans.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** The parts of `a` that are also in `b` (both merged first). */
export function intersectSpans(a: readonly Span[], b: readonly Span[]): Span[] {
  const x = unionSpans(a);
  const y = unionSpans(b);
  const out: Span[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const [s1, e1] = x[i]!;
    const [s2, e2] = y[j]!;
    const s = Math.max(s1, s2);
    const e = Math.min(e1, e2);
    if (e > s) out.push([s, e]);
    if (e1 < e2) i++;
    else j++;
  }
  return out;
}

export const spanMs = (spans: readonly Span[]): number => unionSpans(spans).reduce((sum, [s, e]) => sum + (e - s), 0);

export interface SessionTrace {
  sessionId: string;
  title: string;
  /** The scheduled slot. */
  startsAt: Date;
  endsAt: Date;
  status: 'scheduled' | 'cancelled';
  /** Whether the session has a room to measure (a session without one cannot be attended online). */
  measured: boolean;
  /** When its room was live: room sessions' [started, ended] (ended null: still live). */
  live: readonly { startedAt: Date; endedAt: Date | null }[];
  /** The person's visits to that room (every device, every rejoin). */
  visits: readonly AttendanceInterval[];
}

export interface SessionCredit {
  sessionId: string;
  title: string;
  liveMinutes: number;
  attendedMinutes: number;
  /** attended / live, 0..100; null when the session was never live. */
  percent: number | null;
  /** Whether this session meets a percent threshold (always true for a minutes threshold). */
  met: boolean;
}

export interface CpdMeasure {
  sessions: SessionCredit[];
  /** Attended minutes over the whole programme, rounded down to whole minutes. */
  totalMinutes: number;
  /** Minutes still missing (minutes mode), or sessions below the percent (percent mode). */
  eligible: boolean;
  /** 0..1 toward the threshold, for a progress bar. */
  progress: number;
}

const MINUTE = 60_000;
/** Floors to 0.1 minute, so a figure shown never exceeds what was measured. */
const tenths = (ms: number): number => Math.floor(ms / 6_000) / 10;

/** Measures one session for one person at `now`. */
export function measureSession(s: SessionTrace, now: Date): { liveMs: number; attendedMs: number } {
  if (s.status === 'cancelled' || !s.measured) return { liveMs: 0, attendedMs: 0 };
  const slot: Span = [s.startsAt.getTime(), Math.min(s.endsAt.getTime(), now.getTime())];
  const live = intersectSpans(
    s.live.map((l) => [l.startedAt.getTime(), (l.endedAt ?? now).getTime()] as const),
    [slot],
  );
  const present = s.visits.flatMap((v) => presentSpans(v, now));
  return { liveMs: spanMs(live), attendedMs: spanMs(intersectSpans(present, live)) };
}

/** Whether a person meets the event's threshold, and how far along they are. */
export function measureCpd(threshold: CpdThreshold, sessions: readonly SessionTrace[], now: Date): CpdMeasure {
  const measured = sessions.map((s) => ({ s, ...measureSession(s, now) }));
  const totalMs = measured.reduce((sum, m) => sum + m.attendedMs, 0);
  const credits: SessionCredit[] = measured.map(({ s, liveMs, attendedMs }) => {
    const percent = liveMs > 0 ? Math.min(100, (attendedMs / liveMs) * 100) : null;
    return {
      sessionId: s.sessionId,
      title: s.title,
      liveMinutes: tenths(liveMs),
      attendedMinutes: tenths(attendedMs),
      percent: percent === null ? null : Math.floor(percent * 10) / 10,
      // Compared exactly (attended * 100 >= p * live), never through a rounded figure.
      met: threshold.mode === 'minutes' || (liveMs > 0 && attendedMs * 100 >= threshold.value * liveMs),
    };
  });
  if (threshold.mode === 'minutes') {
    const need = threshold.value * MINUTE;
    return {
      sessions: credits,
      totalMinutes: Math.floor(totalMs / MINUTE),
      eligible: totalMs >= need && totalMs > 0,
      progress: need > 0 ? Math.min(1, totalMs / need) : totalMs > 0 ? 1 : 0,
    };
  }
  const live = measured.filter((m) => m.liveMs > 0);
  const ratios = live.map((m) => (threshold.value > 0 ? Math.min(1, (m.attendedMs * 100) / (threshold.value * m.liveMs)) : 1));
  return {
    sessions: credits,
    totalMinutes: Math.floor(totalMs / MINUTE),
    eligible: live.length > 0 && live.every((m) => m.attendedMs * 100 >= threshold.value * m.liveMs) && totalMs > 0,
    progress: live.length ? ratios.reduce((a, b) => a + b, 0) / live.length : 0,
  };
}
