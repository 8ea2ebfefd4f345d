import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import {
  type EventRegistrationBody,
  isTimeZone,
  type MyEventRegistrationDto,
  type MyRegistrationDto,
  type RegistrantDto,
  type RegistrationStatus,
} from '../../contract';
import { toCsv } from '../../common/csv';
import { AppError, isUniqueViolation } from '../../common/errors';
import { can } from '../organizations/org-permissions';
import { KeyedMutex } from '../rooms/live/keyed-mutex';
import { EVENT_SELECT, type EventRow, toSummary } from './event-rows';
import { EventNotifier } from './event-notifier';
import { EventsService } from './events.service';
import { admit, approve, canBecome, waitlistPositions } from './waitlist';

type Body = z.output<typeof EventRegistrationBody>;

interface RegistrationRow {
  id: string;
  event_id: string;
  user_id: string;
  status: RegistrationStatus;
  arrival: string;
  answers: Record<string, string>;
  registered_at: Date;
}

/**
 * Registration: one row per person and event (a unique constraint, so a retried or doubled request
 * finds the first), taken one at a time per event under the event row's lock so places and the
 * waitlist follow arrival order exactly, whatever the concurrency.
 */
@Injectable()
export class RegistrationsService {
  /** One registration at a time per event on this node: waiting ones queue here, not on pooled connections. */
  private readonly queue = new KeyedMutex();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventsService,
    private readonly notifier: EventNotifier,
  ) {}

  async register(userId: string, eventId: string, body: Body): Promise<MyRegistrationDto> {
    const { event } = await this.events.visible(userId, eventId);
    if (body.timeZone !== undefined && !isTimeZone(body.timeZone))
      throw new AppError('UNKNOWN_TIME_ZONE', `"${body.timeZone}" is not an IANA time zone.`);
    const answers = this.checkAnswers(event, body.answers);
    let fresh = false;
    const attempt = () =>
      this.queue.run(event.id, () =>
        this.db.transaction(async (m) => {
          const [locked]: EventRow[] = await m.query(`SELECT * FROM events WHERE id = $1 FOR UPDATE`, [event.id]);
          if (!locked) throw new AppError('NOT_FOUND', 'Event not found.');
          const [existing]: RegistrationRow[] = await m.query(`SELECT * FROM event_registrations WHERE event_id = $1 AND user_id = $2`, [
            event.id,
            userId,
          ]);
          // Already in (a retry, a second tab): the same registration, not a second one.
          if (existing && existing.status !== 'cancelled') return existing.id;
          if (locked.status === 'cancelled') throw new AppError('EVENT_CANCELLED', 'This event has been cancelled.');
          if (locked.registration === 'none')
            throw new AppError('CONFLICT', 'This event needs no registration: join its sessions directly.');
          if (locked.registration_closes_at && locked.registration_closes_at.getTime() <= Date.now())
            throw new AppError('REGISTRATION_CLOSED', 'Registration for this event is closed.');
          const [{ n }] = (await m.query(
            `SELECT count(*)::int AS n FROM event_registrations WHERE event_id = $1 AND status = 'confirmed'`,
            [event.id],
          )) as [{ n: number }];
          const status = admit(locked.registration, locked.capacity, n);
          fresh = true;
          if (existing) {
            if (!canBecome(existing.status, status)) throw new AppError('ILLEGAL_TRANSITION', 'This registration cannot be renewed.');
            await m.query(
              `UPDATE event_registrations SET status = $2, arrival = nextval('event_registration_order'), client_request_id = $3, answers = $4, language = $5, time_zone = $6, registered_at = clock_timestamp(), updated_at = now() WHERE id = $1`,
              [existing.id, status, body.clientRequestId, JSON.stringify(answers), body.language, body.timeZone ?? null],
            );
            return existing.id;
          }
          const [row]: { id: string }[] = await m.query(
            `INSERT INTO event_registrations (event_id, user_id, status, arrival, client_request_id, answers, language, time_zone, registered_at)
           VALUES ($1, $2, $3, nextval('event_registration_order'), $4, $5, $6, $7, clock_timestamp()) RETURNING id`,
            [event.id, userId, status, body.clientRequestId, JSON.stringify(answers), body.language, body.timeZone ?? null],
          );
          return row!.id;
        }),
      );
    let id: string;
    try {
      id = await attempt();
    } catch (err) {
      // Two requests of one person raced to the insert: the loser finds the winner's row.
      if (!isUniqueViolation(err, 'uq_event_registrations_person')) throw err;
      fresh = false;
      id = await attempt();
    }
    if (fresh) this.notifier.tell(id, 'registered');
    return (await this.events.registrationOf(userId, event.id))!;
  }

  /** Cancels one's own registration; a freed place goes to the first on the waitlist. Idempotent. */
  async cancelMine(userId: string, eventId: string): Promise<MyRegistrationDto | null> {
    const { event } = await this.events.visible(userId, eventId);
    const promoted = await this.db.transaction(async (m) => {
      await m.query(`SELECT 1 FROM events WHERE id = $1 FOR UPDATE`, [event.id]);
      const [row]: RegistrationRow[] = await m.query(`SELECT * FROM event_registrations WHERE event_id = $1 AND user_id = $2`, [
        event.id,
        userId,
      ]);
      if (!row) throw new AppError('NOT_FOUND', 'You are not registered for this event.');
      if (!canBecome(row.status, 'cancelled')) return [];
      await m.query(`UPDATE event_registrations SET status = 'cancelled', updated_at = now() WHERE id = $1`, [row.id]);
      return row.status === 'confirmed' ? this.notifier.promoteWaiting(event.id, m) : [];
    });
    for (const id of promoted) this.notifier.tell(id, 'promoted');
    return this.events.registrationOf(userId, event.id);
  }

  /** An organiser approves (a place, or the waitlist when full) or declines a pending registration. */
  async decide(userId: string, registrationId: string, decision: 'approve' | 'decline'): Promise<RegistrantDto> {
    const [reg]: RegistrationRow[] = await this.db.query(`SELECT * FROM event_registrations WHERE id = $1`, [registrationId]);
    if (!reg) throw new AppError('NOT_FOUND', 'Registration not found.');
    const event = await this.events.manageable(userId, reg.event_id);
    await this.db.transaction(async (m) => {
      const [locked]: EventRow[] = await m.query(`SELECT * FROM events WHERE id = $1 FOR UPDATE`, [event.id]);
      const [row]: RegistrationRow[] = await m.query(`SELECT * FROM event_registrations WHERE id = $1`, [reg.id]);
      const [{ n }] = (await m.query(`SELECT count(*)::int AS n FROM event_registrations WHERE event_id = $1 AND status = 'confirmed'`, [
        event.id,
      ])) as [{ n: number }];
      const next = decision === 'approve' ? approve(locked!.capacity, n) : 'declined';
      if (row!.status === next) return;
      if (!canBecome(row!.status, next)) throw new AppError('ILLEGAL_TRANSITION', `A ${row!.status} registration cannot be ${decision}d.`);
      await m.query(`UPDATE event_registrations SET status = $2, updated_at = now() WHERE id = $1`, [reg.id, next]);
    });
    this.notifier.tell(reg.id, decision === 'approve' ? 'registered' : 'declined');
    const all = await this.registrants(userId, event.id);
    return all.find((r) => r.id === reg.id)!;
  }

  /** Everyone who registered, in arrival order, with their answers (organisers only). */
  async registrants(userId: string, eventId: string): Promise<RegistrantDto[]> {
    const event = await this.events.manageable(userId, eventId);
    const rows: (RegistrationRow & { display_name: string; email: string })[] = await this.db.query(
      `SELECT r.*, u.display_name, u.email FROM event_registrations r JOIN users u ON u.id = r.user_id WHERE r.event_id = $1 ORDER BY r.arrival`,
      [event.id],
    );
    const positions = waitlistPositions(rows.map((r) => ({ id: r.id, status: r.status, order: Number(r.arrival) })));
    return rows.map((r) => ({
      id: r.id,
      eventId: r.event_id,
      userId: r.user_id,
      displayName: r.display_name,
      email: r.email,
      status: r.status,
      waitlistPosition: positions.get(r.id) ?? null,
      registeredAt: r.registered_at.toISOString(),
      answers: r.answers,
    }));
  }

  /** The list as CSV (formula-safe cells): one column per custom question. */
  async registrantsCsv(userId: string, eventId: string): Promise<{ filename: string; csv: string }> {
    const event = await this.events.manageable(userId, eventId);
    const list = await this.registrants(userId, eventId);
    const questions = event.questions;
    return {
      filename: `registrants-${event.id}.csv`,
      csv: toCsv([
        ['name', 'email', 'status', 'waitlist_position', 'registered_at', ...questions.map((q) => q.label)],
        ...list.map((r) => [
          r.displayName,
          r.email,
          r.status,
          r.waitlistPosition,
          r.registeredAt,
          ...questions.map((q) => r.answers[q.id] ?? null),
        ]),
      ]),
    };
  }

  /** The caller's registrations that are not cancelled, soonest event first. */
  async mine(userId: string): Promise<MyEventRegistrationDto[]> {
    const rows: (EventRow & { reg_id: string; reg_status: RegistrationStatus; registered_at: Date })[] = await this.db.query(
      `SELECT x.*, r.id AS reg_id, r.status AS reg_status, r.registered_at FROM event_registrations r JOIN (${EVENT_SELECT}) x ON x.id = r.event_id
        WHERE r.user_id = $1 AND r.status NOT IN ('cancelled') ORDER BY x.starts_at NULLS LAST LIMIT 500`,
      [userId],
    );
    const out: MyEventRegistrationDto[] = [];
    for (const r of rows) {
      // Someone who left a members-only event's organisation no longer sees it.
      if (r.visibility !== 'public') {
        const role = await this.db.query(`SELECT role FROM memberships WHERE organization_id = $1 AND user_id = $2`, [
          r.organization_id,
          userId,
        ]);
        if (!can(role[0]?.role, 'events.view')) continue;
      }
      const mine = await this.events.registrationOf(userId, r.id);
      if (mine) out.push({ ...mine, event: toSummary(r) });
    }
    return out;
  }

  private checkAnswers(event: EventRow, answers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const q of event.questions) {
      const a = answers[q.id]?.trim() ?? '';
      if (!a) {
        if (q.required) throw new AppError('ANSWER_REQUIRED', `"${q.label}" needs an answer.`, { question: q.id });
        continue;
      }
      if (q.type === 'choice' && q.options && !q.options.includes(a))
        throw new AppError('INVALID_PAYLOAD', `"${a}" is not one of the choices.`, [{ path: `answers.${q.id}`, message: 'not a choice' }]);
      out[q.id] = a;
    }
    return out;
  }
}
