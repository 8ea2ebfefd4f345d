/** What grouping needs of a meeting: when it was called, and whether a ballot is open in it now. */
export interface Dated {
  id: string;
  scheduledAt: string;
}

export interface MeetingGroups<M extends Dated> {
  /** Live (a ballot open) first, then today's and later ones, soonest first. */
  current: M[];
  /** Meetings of earlier days with nothing open, latest first. */
  past: M[];
}

/** Midnight at the start of `now`'s day, in the viewer's time zone. */
const startOfDay = (now: Date) => new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();

/**
 * Splits a room's meetings into what is on now or coming and what is over. A meeting stays current for
 * the whole of the day it was called for (sittings overrun; nobody should hunt for today's meeting
 * under "past"), and for as long as one of its ballots is open, whatever its date. Pure.
 */
export function groupMeetings<M extends Dated>(meetings: readonly M[], now: Date, live: ReadonlySet<string>): MeetingGroups<M> {
  const today = startOfDay(now);
  const at = (m: M) => Date.parse(m.scheduledAt);
  const current: M[] = [];
  const past: M[] = [];
  for (const m of meetings) (live.has(m.id) || at(m) >= today ? current : past).push(m);
  current.sort((a, b) => Number(live.has(b.id)) - Number(live.has(a.id)) || at(a) - at(b));
  past.sort((a, b) => at(b) - at(a));
  return { current, past };
}
