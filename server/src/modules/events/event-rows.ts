import {
  instantToWallClock,
  type EventDto,
  type EventQuestion,
  type EventSessionDto,
  type EventSummaryDto,
  type RegistrationMode,
  type Speaker,
} from '../../contract';

/** Rows as PostgreSQL returns them, and their DTOs. */
export interface EventRow {
  id: string;
  organization_id: string;
  organization_name: string;
  title: string;
  description: string;
  kind: EventDto['kind'];
  time_zone: string;
  visibility: EventDto['visibility'];
  registration: RegistrationMode;
  capacity: number | null;
  registration_closes_at: Date | null;
  questions: EventQuestion[];
  tracks: string[];
  reminder_minutes: number[];
  status: 'scheduled' | 'cancelled';
  sequence: number;
  starts_at: Date | null;
  ends_at: Date | null;
}

export interface SessionRow {
  id: string;
  event_id: string;
  title: string;
  description: string;
  kind: EventSessionDto['kind'];
  starts_at: Date;
  ends_at: Date;
  track: string | null;
  room_id: string | null;
  meeting_id: string | null;
  speakers: Speaker[];
  status: 'scheduled' | 'cancelled';
  sequence: number;
}

/** The event with its organisation's name and the span of its (scheduled) programme. */
export const EVENT_SELECT = `
  SELECT e.*, o.name AS organization_name,
         (SELECT min(s.starts_at) FROM event_sessions s WHERE s.event_id = e.id AND s.status = 'scheduled') AS starts_at,
         (SELECT max(s.ends_at) FROM event_sessions s WHERE s.event_id = e.id AND s.status = 'scheduled') AS ends_at
    FROM events e JOIN organizations o ON o.id = e.organization_id`;

export const toSessionDto = (s: SessionRow, tz: string): EventSessionDto => ({
  id: s.id,
  eventId: s.event_id,
  title: s.title,
  description: s.description,
  kind: s.kind,
  startsAt: s.starts_at.toISOString(),
  endsAt: s.ends_at.toISOString(),
  localStartsAt: instantToWallClock(s.starts_at, tz),
  localEndsAt: instantToWallClock(s.ends_at, tz),
  track: s.track,
  roomId: s.room_id,
  meetingId: s.meeting_id,
  speakers: s.speakers,
  status: s.status,
  sequence: s.sequence,
});

export const toSummary = (e: EventRow): EventSummaryDto => ({
  id: e.id,
  organizationId: e.organization_id,
  organizationName: e.organization_name,
  title: e.title,
  kind: e.kind,
  timeZone: e.time_zone,
  visibility: e.visibility,
  registration: e.registration,
  startsAt: e.starts_at?.toISOString() ?? null,
  endsAt: e.ends_at?.toISOString() ?? null,
  status: e.status,
});
