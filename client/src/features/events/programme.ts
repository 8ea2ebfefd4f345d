import { dayIn, type EventSessionDto } from '@contract';

/** A programme laid out by the event's days (in its zone), each day's sessions by start time. Pure. */
export function programmeDays(sessions: readonly EventSessionDto[], timeZone: string): { day: string; sessions: EventSessionDto[] }[] {
  const days = new Map<string, EventSessionDto[]>();
  for (const s of [...sessions].sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.title.localeCompare(b.title))) {
    const day = dayIn(new Date(s.startsAt), timeZone);
    days.set(day, [...(days.get(day) ?? []), s]);
  }
  return [...days].map(([day, list]) => ({ day, sessions: list }));
}

/** The viewer's own IANA zone, as the browser knows it. */
export const viewerTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
