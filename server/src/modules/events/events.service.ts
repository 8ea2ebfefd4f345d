import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { z } from 'zod';
import {
  type CreateEventBody,
  type CreateSessionBody,
  type EventDto,
  type EventSessionDto,
  type EventSummaryDto,
  instantToWallClock,
  isTimeZone,
  type MyRegistrationDto,
  type OrgRole,
  type UpdateEventBody,
  type UpdateSessionBody,
  wallClockToInstant,
} from '../../contract';
import { AppError } from '../../common/errors';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { MailService } from '../mail/mail.service';
import { can } from '../organizations/org-permissions';
import { OrganizationsService } from '../organizations/organizations.service';
import { EVENT_SELECT, type EventRow, type SessionRow, toSessionDto, toSummary } from './event-rows';
import { EventNotifier } from './event-notifier';
import { eventPageUrl, rowsIcs } from './ics';
import { waitlistPositions } from './waitlist';

type NewEvent = z.output<typeof CreateEventBody>;
type NewSession = z.output<typeof CreateSessionBody>;

/** A wall-clock time of the event's zone as an instant, or INVALID_PAYLOAD naming the field. */
function instantOf(wall: string, tz: string, field: string): Date {
  const d = wallClockToInstant(wall, tz);
  if (!d) throw new AppError('INVALID_PAYLOAD', `${field} is not a real date and time.`, [{ path: field, message: 'not a real date' }]);
  return d;
}

function checkZone(tz: string): void {
  if (!isTimeZone(tz)) throw new AppError('UNKNOWN_TIME_ZONE', `"${tz}" is not an IANA time zone (like Europe/Paris).`);
}

function checkCapacity(capacity: number | null | undefined): void {
  if (capacity !== null && capacity !== undefined && capacity < 1)
    throw new AppError('INVALID_CAPACITY', 'Capacity must be at least 1, or none for no limit.');
}

/**
 * Events and their programme: who sees them (public ones anyone, members ones the organisation's
 * people only, outsiders getting NOT_FOUND as for an event that does not exist), and how organisers
 * change them. Every change of a session or event raises its SEQUENCE and tells registrants.
 */
@Injectable()
export class EventsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orgs: OrganizationsService,
    private readonly notifier: EventNotifier,
    private readonly mail: MailService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(userId: string, organizationId: string, body: NewEvent): Promise<EventDto> {
    await this.orgs.authorize(userId, organizationId, 'events.manage');
    checkZone(body.timeZone);
    checkCapacity(body.capacity);
    const closes = body.registrationClosesAt ? instantOf(body.registrationClosesAt, body.timeZone, 'registrationClosesAt') : null;
    const [row]: { id: string }[] = await this.db.query(
      `INSERT INTO events (organization_id, title, description, kind, time_zone, visibility, registration, capacity, registration_closes_at, questions, tracks, reminder_minutes, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      [
        ...[
          organizationId,
          body.title,
          body.description,
          body.kind,
          body.timeZone,
          body.visibility,
          body.registration,
          body.capacity,
          closes,
        ],
        ...[JSON.stringify(body.questions), JSON.stringify(body.tracks), JSON.stringify(body.reminderMinutes), userId],
      ],
    );
    return this.get(userId, row!.id);
  }

  async update(userId: string, eventId: string, body: UpdateEventBody): Promise<EventDto> {
    const event = await this.manageable(userId, eventId);
    checkCapacity(body.capacity);
    const closes =
      body.registrationClosesAt === undefined
        ? undefined
        : body.registrationClosesAt && instantOf(body.registrationClosesAt, event.time_zone, 'registrationClosesAt');
    const sets: string[] = [];
    const values: unknown[] = [event.id];
    const set = (col: string, v: unknown) => sets.push(`${col} = $${values.push(v)}`);
    if (body.title !== undefined) set('title', body.title);
    if (body.description !== undefined) set('description', body.description);
    if (body.visibility !== undefined) set('visibility', body.visibility);
    if (body.registration !== undefined) set('registration', body.registration);
    if (body.capacity !== undefined) set('capacity', body.capacity);
    if (closes !== undefined) set('registration_closes_at', closes);
    if (body.questions !== undefined) set('questions', JSON.stringify(body.questions));
    if (body.tracks !== undefined) set('tracks', JSON.stringify(body.tracks));
    if (body.reminderMinutes !== undefined) set('reminder_minutes', JSON.stringify(body.reminderMinutes));
    await this.db.query(`UPDATE events SET ${sets.join(', ')}, sequence = sequence + 1 WHERE id = $1`, values);
    // More places: the waitlist moves up at once.
    if (body.capacity !== undefined) await this.notifier.promoteWaiting(event.id);
    return this.get(userId, event.id);
  }

  /** Cancels the whole event: registrants are told, with a METHOD:CANCEL calendar entry. */
  async cancel(userId: string, eventId: string): Promise<EventDto> {
    const event = await this.manageable(userId, eventId);
    if (event.status !== 'cancelled') {
      await this.db.query(`UPDATE events SET status = 'cancelled', sequence = sequence + 1 WHERE id = $1`, [event.id]);
      this.notifier.programmeChanged(event.id, null, 'cancelled');
    }
    return this.get(userId, event.id);
  }

  async list(userId: string, organizationId: string): Promise<EventSummaryDto[]> {
    await this.orgs.authorize(userId, organizationId, 'events.view');
    const rows: EventRow[] = await this.db.query(`${EVENT_SELECT} WHERE e.organization_id = $1 ORDER BY e.created_at DESC LIMIT 500`, [
      organizationId,
    ]);
    return rows.map(toSummary).sort(byStart);
  }

  /** Upcoming (or running) public events of every organisation; no sign-in needed. */
  async directory(): Promise<EventSummaryDto[]> {
    const rows: EventRow[] = await this.db.query(
      `SELECT * FROM (${EVENT_SELECT} WHERE e.visibility = 'public' AND e.status = 'scheduled') x
        WHERE x.ends_at IS NULL OR x.ends_at > now() ORDER BY x.starts_at NULLS LAST LIMIT 200`,
    );
    return rows.map(toSummary);
  }

  /** `userId` null: someone not signed in, who sees public events only. */
  async get(userId: string | null, eventId: string): Promise<EventDto> {
    const { event, role } = await this.visible(userId, eventId);
    const sessions: SessionRow[] = await this.db.query(`SELECT * FROM event_sessions WHERE event_id = $1 ORDER BY starts_at, title`, [
      event.id,
    ]);
    const [counts]: { confirmed: number; waitlisted: number }[] = await this.db.query(
      `SELECT count(*) FILTER (WHERE status = 'confirmed')::int AS confirmed, count(*) FILTER (WHERE status = 'waitlisted')::int AS waitlisted FROM event_registrations WHERE event_id = $1`,
      [event.id],
    );
    return {
      ...toSummary(event),
      description: event.description,
      capacity: event.capacity,
      registrationClosesAt: event.registration_closes_at?.toISOString() ?? null,
      questions: event.questions,
      tracks: event.tracks,
      reminderMinutes: event.reminder_minutes,
      confirmed: counts?.confirmed ?? 0,
      waitlisted: counts?.waitlisted ?? 0,
      myRegistration: userId ? await this.registrationOf(userId, event.id) : null,
      canManage: can(role, 'events.manage'),
      sessions: sessions.map((s) => toSessionDto(s, event.time_zone)),
    };
  }

  async registrationOf(userId: string, eventId: string): Promise<MyRegistrationDto | null> {
    const [mine]: { id: string; status: MyRegistrationDto['status']; registered_at: Date }[] = await this.db.query(
      `SELECT id, status, registered_at FROM event_registrations WHERE event_id = $1 AND user_id = $2`,
      [eventId, userId],
    );
    if (!mine) return null;
    let position: number | null = null;
    if (mine.status === 'waitlisted') {
      const seats: { id: string; arrival: string }[] = await this.db.query(
        `SELECT id, arrival FROM event_registrations WHERE event_id = $1 AND status = 'waitlisted'`,
        [eventId],
      );
      position = waitlistPositions(seats.map((s) => ({ id: s.id, status: 'waitlisted', order: Number(s.arrival) }))).get(mine.id) ?? null;
    }
    return { id: mine.id, eventId, status: mine.status, waitlistPosition: position, registeredAt: mine.registered_at.toISOString() };
  }

  async addSession(userId: string, eventId: string, body: NewSession): Promise<EventSessionDto> {
    const event = await this.manageable(userId, eventId);
    const row = await this.db.transaction(async (m) => {
      const placed = await this.placement(m, event, body);
      const [s]: SessionRow[] = await m.query(
        `INSERT INTO event_sessions (event_id, title, description, kind, starts_at, ends_at, track, room_id, meeting_id, speakers)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
        [
          event.id,
          body.title,
          body.description,
          body.kind,
          placed.startsAt,
          placed.endsAt,
          body.track,
          placed.roomId,
          body.meetingId,
          JSON.stringify(body.speakers),
        ],
      );
      return s!;
    });
    return toSessionDto(row, event.time_zone);
  }

  async updateSession(userId: string, sessionId: string, body: UpdateSessionBody): Promise<EventSessionDto> {
    const current = await this.sessionRow(sessionId);
    const event = await this.manageable(userId, current.event_id);
    const merged: NewSession = {
      title: body.title ?? current.title,
      description: body.description ?? current.description,
      kind: body.kind ?? current.kind,
      startsAt: body.startsAt ?? toWall(current.starts_at, event.time_zone),
      endsAt: body.endsAt ?? toWall(current.ends_at, event.time_zone),
      track: body.track === undefined ? current.track : body.track,
      // A new meeting brings its own room unless one is named.
      roomId: body.roomId !== undefined ? body.roomId : body.meetingId !== undefined ? null : current.room_id,
      meetingId: body.meetingId === undefined ? current.meeting_id : body.meetingId,
      speakers: body.speakers ?? current.speakers,
    };
    const row = await this.db.transaction(async (m) => {
      const placed = await this.placement(m, event, merged, current.id);
      const [s]: SessionRow[][] = await m.query(
        `UPDATE event_sessions SET title = $2, description = $3, kind = $4, starts_at = $5, ends_at = $6, track = $7, room_id = $8, meeting_id = $9, speakers = $10, sequence = sequence + 1
          WHERE id = $1 RETURNING *`,
        [
          current.id,
          merged.title,
          merged.description,
          merged.kind,
          placed.startsAt,
          placed.endsAt,
          merged.track,
          placed.roomId,
          merged.meetingId,
          JSON.stringify(merged.speakers),
        ],
      );
      return s![0]!;
    });
    if (
      row.starts_at.getTime() !== current.starts_at.getTime() ||
      row.ends_at.getTime() !== current.ends_at.getTime() ||
      row.title !== current.title
    ) {
      this.notifier.programmeChanged(event.id, row.id, 'changed');
    }
    return toSessionDto(row, event.time_zone);
  }

  async cancelSession(userId: string, sessionId: string): Promise<EventSessionDto> {
    const current = await this.sessionRow(sessionId);
    const event = await this.manageable(userId, current.event_id);
    const [rows]: SessionRow[][] = await this.db.query(
      `UPDATE event_sessions SET status = 'cancelled', sequence = sequence + 1 WHERE id = $1 AND status = 'scheduled' RETURNING *`,
      [current.id],
    );
    if (rows?.length) this.notifier.programmeChanged(event.id, current.id, 'cancelled');
    return toSessionDto(rows?.[0] ?? current, event.time_zone);
  }

  /** The calendar file of the whole programme, or of one session. */
  async ics(userId: string | null, eventId: string, sessionId?: string): Promise<{ filename: string; content: string }> {
    const { event } = await this.visible(userId, eventId);
    const sessions: SessionRow[] = await this.db.query(
      `SELECT * FROM event_sessions WHERE event_id = $1 ${sessionId ? 'AND id = $2' : ''} ORDER BY starts_at`,
      sessionId ? [event.id, sessionId] : [event.id],
    );
    if (sessionId && !sessions.length) throw new AppError('NOT_FOUND', 'Session not found.');
    const cancelled = event.status === 'cancelled' || (!!sessionId && sessions[0]!.status === 'cancelled');
    return {
      filename: `${sessionId ? `session-${sessionId}` : `event-${event.id}`}.ics`,
      content: this.calendar(event, sessions, cancelled ? 'CANCEL' : 'REQUEST'),
    };
  }

  calendar(event: EventRow, sessions: readonly SessionRow[], method: 'REQUEST' | 'CANCEL'): string {
    return rowsIcs(event, sessions, method, { publicUrl: this.config.publicUrl, from: this.mail.fromAddress });
  }

  pageUrl(eventId: string): string {
    return eventPageUrl(this.config.publicUrl, eventId);
  }

  /** The event if the caller may see it, with their role in its organisation. */
  async visible(userId: string | null, eventId: string): Promise<{ event: EventRow; role: OrgRole | null }> {
    const event = await this.eventRow(eventId);
    const role = userId ? await this.orgs.roleIn(userId, event.organization_id) : null;
    if (event.visibility !== 'public' && !can(role, 'events.view')) throw new AppError('NOT_FOUND', 'Event not found.');
    return { event, role };
  }

  async eventRow(eventId: string, m: EntityManager = this.db.manager): Promise<EventRow> {
    const [event]: EventRow[] = await m.query(`${EVENT_SELECT} WHERE e.id = $1`, [eventId]);
    if (!event) throw new AppError('NOT_FOUND', 'Event not found.');
    return event;
  }

  async manageable(userId: string, eventId: string): Promise<EventRow> {
    const event = await this.eventRow(eventId);
    await this.orgs.authorize(userId, event.organization_id, 'events.manage');
    return event;
  }

  private async sessionRow(sessionId: string): Promise<SessionRow> {
    const [s]: SessionRow[] = await this.db.query(`SELECT * FROM event_sessions WHERE id = $1`, [sessionId]);
    if (!s) throw new AppError('NOT_FOUND', 'Session not found.');
    return s;
  }

  /**
   * Where and when a session is: its times read in the event's zone, its room (its meeting's when
   * only a meeting is named) of the same organisation, and no other scheduled session in that room at
   * the same time. Checked under a lock per room, so two organisers cannot book one room twice.
   */
  private async placement(
    m: EntityManager,
    event: EventRow,
    s: NewSession,
    sessionId?: string,
  ): Promise<{ startsAt: Date; endsAt: Date; roomId: string | null }> {
    const startsAt = instantOf(s.startsAt, event.time_zone, 'startsAt');
    const endsAt = instantOf(s.endsAt, event.time_zone, 'endsAt');
    if (endsAt <= startsAt) throw new AppError('INVALID_TIME_RANGE', 'A session must end after it starts.');
    if (endsAt.getTime() - startsAt.getTime() > 7 * 86_400_000) throw new AppError('INVALID_TIME_RANGE', 'A session lasts at most a week.');
    if (s.track && !event.tracks.includes(s.track))
      throw new AppError('INVALID_PAYLOAD', 'That track is not one of the event’s tracks.', [{ path: 'track', message: 'unknown track' }]);
    let roomId = s.roomId;
    if (s.meetingId) {
      const [meeting]: { room_id: string | null }[] = await m.query(`SELECT room_id FROM meetings WHERE id = $1 AND organization_id = $2`, [
        s.meetingId,
        event.organization_id,
      ]);
      if (!meeting) throw new AppError('NOT_FOUND', 'Meeting not found.');
      roomId ??= meeting.room_id;
    }
    if (roomId) {
      const [room]: unknown[] = await m.query(`SELECT 1 FROM rooms WHERE id = $1 AND organization_id = $2`, [
        roomId,
        event.organization_id,
      ]);
      if (!room) throw new AppError('NOT_FOUND', 'Room not found.');
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('event-room:' || $1))`, [roomId]);
      const clash: { title: string }[] = await m.query(
        `SELECT s.title FROM event_sessions s JOIN events e ON e.id = s.event_id
          WHERE s.room_id = $1 AND s.status = 'scheduled' AND e.status = 'scheduled' AND s.id IS DISTINCT FROM $4::uuid
            AND s.starts_at < $3 AND s.ends_at > $2 LIMIT 1`,
        [roomId, startsAt, endsAt, sessionId ?? null],
      );
      if (clash.length)
        throw new AppError('SESSION_OVERLAP', 'Another session is scheduled in this room at that time.', { session: clash[0]!.title });
    }
    return { startsAt, endsAt, roomId };
  }
}

const toWall = instantToWallClock;

const byStart = (a: EventSummaryDto, b: EventSummaryDto): number => (a.startsAt ?? '9999').localeCompare(b.startsAt ?? '9999');
