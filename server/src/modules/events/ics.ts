import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import type { EventRow, SessionRow } from './event-rows';

/**
 * iCalendar (RFC 5545 / 5546) for a programme: one VEVENT per session, its UID the session's id (so a
 * calendar updates the entry it has rather than adding one), its SEQUENCE raised by every change of
 * the session or of its event, times in UTC. ical-generator escapes text and folds lines at 75 octets.
 */
export interface IcsSession {
  id: string;
  title: string;
  description: string;
  startsAt: Date;
  endsAt: Date;
  status: 'scheduled' | 'cancelled';
  sequence: number;
  speakers: { name: string; affiliation: string }[];
}

export interface IcsInput {
  event: { id: string; title: string; sequence: number; status: 'scheduled' | 'cancelled'; timeZone: string };
  sessions: readonly IcsSession[];
  /** CANCEL: every entry is withdrawn (a cancelled event or session, or a cancelled registration). */
  method: 'REQUEST' | 'CANCEL';
  /** The UID's domain: the host of PUBLIC_URL. */
  host: string;
  organizer: { name: string; email: string };
  /** The event page. */
  url: string;
}

export const sessionUid = (sessionId: string, host: string): string => `session-${sessionId}@${host}`;

/** A session's SEQUENCE: both numbers only grow, so their sum grows with any change of either. */
export const sessionSequence = (eventSequence: number, sessionSequence: number): number => eventSequence + sessionSequence;

export function programmeIcs(input: IcsInput): string {
  const cal = ical({
    prodId: { company: 'Quorum', product: 'events', language: 'EN' },
    name: input.event.title,
    method: input.method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  for (const s of input.sessions) {
    const cancelled = input.method === 'CANCEL' || s.status === 'cancelled' || input.event.status === 'cancelled';
    const speakers = s.speakers.map((p) => (p.affiliation ? `${p.name} (${p.affiliation})` : p.name)).join(', ');
    cal.createEvent({
      id: sessionUid(s.id, input.host),
      sequence: sessionSequence(input.event.sequence, s.sequence),
      start: s.startsAt,
      end: s.endsAt,
      stamp: new Date(),
      summary: `${s.title} — ${input.event.title}`,
      description: [s.description, speakers && `Speakers: ${speakers}`, input.url].filter(Boolean).join('\n\n'),
      url: input.url,
      organizer: input.organizer,
      status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return cal.toString();
}

/** An event's public page. */
export const eventPageUrl = (publicUrl: string, eventId: string): string => `${publicUrl}/events/${eventId}`;

/** The calendar of an event and some of its sessions, from their rows, for downloads and mail alike. */
export function rowsIcs(event: EventRow, sessions: readonly SessionRow[], method: 'REQUEST' | 'CANCEL', site: { publicUrl: string; from: string }): string {
  return programmeIcs({
    event: { id: event.id, title: event.title, sequence: event.sequence, status: event.status, timeZone: event.time_zone },
    sessions: sessions.map((s) => ({
      id: s.id,
      title: s.title,
      description: s.description,
      startsAt: s.starts_at,
      endsAt: s.ends_at,
      status: s.status,
      sequence: s.sequence,
      speakers: s.speakers,
    })),
    method,
    host: new URL(site.publicUrl).hostname,
    organizer: { name: event.organization_name, email: site.from },
    url: eventPageUrl(site.publicUrl, event.id),
  });
}
