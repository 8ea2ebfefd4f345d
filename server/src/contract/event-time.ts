/**
 * Time of events: instants are stored and sent in UTC; people read them in the event's IANA time
 * zone and in their own, each labelled with its zone and UTC offset. Organisers write programme times
 * as wall-clock times of the event's zone (`2025-03-30T09:00`), turned into instants here, so a
 * session after a DST change keeps its 09:00. Pure: the server and the web client both use it.
 */

/** Whether the runtime knows this IANA zone (`Europe/Moscow`); offsets like `+03:00` are not zones. */
export function isTimeZone(tz: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(tz) || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const partsFormat = new Map<string, Intl.DateTimeFormat>();
function wallParts(instant: Date, tz: string) {
  let f = partsFormat.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      calendar: 'gregory',
      numberingSystem: 'latn',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormat.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(instant).map((x) => [x.type, x.value])) as Record<string, string>;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour) % 24,
    minute: Number(p.minute),
    second: Number(p.second),
  };
}

/** Minutes east of UTC that `tz` is at `instant` (Asia/Kathmandu: 345). */
export function offsetMinutes(instant: Date, tz: string): number {
  const w = wallParts(instant, tz);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/** `UTC+05:45`, `UTC-03:30`, `UTC+00:00`. */
export function utcOffsetLabel(instant: Date, tz: string): string {
  const m = offsetMinutes(instant, tz);
  const a = Math.abs(m);
  return `UTC${m < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** A wall-clock time as written in the programme: `YYYY-MM-DDTHH:mm`. */
export const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/**
 * The instant at which clocks in `tz` show `wall`. A time skipped by a DST change (02:30 on the
 * night clocks go forward) is read with the offset before the change, landing after the gap, and a
 * time that happens twice takes its first occurrence: what RFC 5545 and Temporal ("compatible") do.
 * Null for a malformed or impossible date.
 */
export function wallClockToInstant(wall: string, tz: string): Date | null {
  const m = WALL_CLOCK.exec(wall);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
  const naive = Date.UTC(y, mo - 1, d, h, mi);
  if (new Date(naive).getUTCDate() !== d) return null;
  // The offsets in force a day either side bracket every change of a zone.
  const before = offsetMinutes(new Date(naive - 86_400_000), tz);
  const after = offsetMinutes(new Date(naive + 86_400_000), tz);
  const candidates = [...new Set([before, after])]
    .map((o) => naive - o * 60_000)
    .filter((t) => offsetMinutes(new Date(t), tz) * 60_000 === naive - t);
  if (candidates.length) return new Date(Math.min(...candidates));
  // In the gap: the earlier offset carries the wall time past the change.
  return new Date(naive - before * 60_000);
}

/** The wall-clock reading of `instant` in `tz`, as `YYYY-MM-DDTHH:mm` (the inverse of the above). */
export function instantToWallClock(instant: Date, tz: string): string {
  const w = wallParts(instant, tz);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${p(w.month)}-${p(w.day)}T${p(w.hour)}:${p(w.minute)}`;
}

/** The calendar day (`YYYY-MM-DD`) of `instant` in `tz`: programme days are the event zone's days. */
export const dayIn = (instant: Date, tz: string): string => instantToWallClock(instant, tz).slice(0, 10);

/**
 * A date and time for people, in their language, always on the Gregorian calendar (an Arabic or
 * Chinese locale keeps its own words and digits), with the zone's name and UTC offset beside it.
 */
export function formatInZone(instant: Date, tz: string, locale: string, opts: { withDate?: boolean; withLabel?: boolean } = {}): string {
  const withDate = opts.withDate ?? true;
  const f = new Intl.DateTimeFormat(locale, {
    timeZone: tz,
    calendar: 'gregory',
    hourCycle: 'h23',
    ...(withDate ? { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' } : {}),
    hour: '2-digit',
    minute: '2-digit',
  });
  return opts.withLabel === false ? f.format(instant) : `${f.format(instant)} ${zoneLabel(instant, tz)}`;
}

/** `(Asia/Tehran, UTC+03:30)`: the zone and its offset at that instant. */
export function zoneLabel(instant: Date, tz: string): string {
  return `(${tz}, ${utcOffsetLabel(instant, tz)})`;
}

/** Where `now` stands in a programme: the sessions running now and the next one to start. */
export function nowAndNext<S extends { startsAt: string; endsAt: string; status?: string }>(
  sessions: readonly S[],
  now: Date,
): { now: S[]; next: S | null } {
  const t = now.getTime();
  const live = sessions.filter((s) => s.status !== 'cancelled');
  const running = live.filter((s) => Date.parse(s.startsAt) <= t && t < Date.parse(s.endsAt));
  const upcoming = live.filter((s) => Date.parse(s.startsAt) > t).sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  return { now: running, next: upcoming[0] ?? null };
}
