import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { LOGGER } from '../../common/logging';
import type { RegistrationStatus } from '../../contract';
import { MailService } from '../mail/mail.service';
import type { MailLanguage } from '../mail/messages';
import { eventMail, type EventMailKind } from './event-mail';
import { EVENT_SELECT, type EventRow, type SessionRow } from './event-rows';
import { eventPageUrl, rowsIcs } from './ics';
import { promotions, waitlistPositions } from './waitlist';

interface Recipient {
  registration_id: string;
  email: string;
  display_name: string;
  language: MailLanguage;
  time_zone: string | null;
  status: RegistrationStatus;
}

/** At most this many mails in flight: a burst of registrations must not open hundreds of SMTP connections. */
const MAIL_CONCURRENCY = 4;

/**
 * Registrants' mail: confirmations, promotions from the waitlist, programme changes and
 * cancellations, each with its calendar entry. Mail goes after the change is committed and never
 * makes it fail; a failed send is logged.
 */
@Injectable()
export class EventNotifier {
  private readonly queue: (() => Promise<void>)[] = [];
  private running = 0;
  private idle: (() => void)[] = [];

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly mail: MailService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Waits until every queued mail went (for shutdown and tests of the service). */
  drained(): Promise<void> {
    return this.running === 0 && !this.queue.length ? Promise.resolve() : new Promise((r) => this.idle.push(r));
  }

  /**
   * Moves the earliest waitlisted people into free places, under the event's lock, and writes to each.
   * Called after a cancellation, a decline or a larger capacity; `m`: inside the caller's transaction.
   */
  async promoteWaiting(eventId: string, m?: EntityManager): Promise<string[]> {
    const run = async (t: EntityManager) => {
      const [event]: { capacity: number | null; registration: string }[] = await t.query(
        `SELECT capacity, registration FROM events WHERE id = $1 FOR UPDATE`,
        [eventId],
      );
      if (!event) return [];
      const seats: { id: string; status: RegistrationStatus; arrival: string }[] = await t.query(
        `SELECT id, status, arrival FROM event_registrations WHERE event_id = $1 AND status IN ('confirmed', 'waitlisted')`,
        [eventId],
      );
      const ids = promotions(
        seats.map((s) => ({ id: s.id, status: s.status, order: Number(s.arrival) })),
        event.capacity,
      );
      if (ids.length)
        await t.query(
          `UPDATE event_registrations SET status = 'confirmed', updated_at = now() WHERE id = ANY($1) AND status = 'waitlisted'`,
          [ids],
        );
      return ids;
    };
    const ids = m ? await run(m) : await this.db.transaction(run);
    if (!m) for (const id of ids) this.tell(id, 'promoted');
    return ids;
  }

  /** One registrant's mail about their registration (`registered`, `promoted`, `declined`). */
  tell(registrationId: string, kind: Extract<EventMailKind, 'registered' | 'promoted' | 'declined'>): void {
    this.enqueue(async () => {
      const [r]: (Recipient & { event_id: string })[] = await this.db.query(
        `SELECT r.id AS registration_id, r.event_id, u.email, u.display_name, r.language, r.time_zone, r.status
           FROM event_registrations r JOIN users u ON u.id = r.user_id WHERE r.id = $1`,
        [registrationId],
      );
      if (!r) return;
      const { event, sessions } = await this.programme(r.event_id);
      let position: number | null = null;
      if (r.status === 'waitlisted') {
        const seats: { id: string; arrival: string }[] = await this.db.query(
          `SELECT id, arrival FROM event_registrations WHERE event_id = $1 AND status = 'waitlisted'`,
          [r.event_id],
        );
        position =
          waitlistPositions(seats.map((s) => ({ id: s.id, status: 'waitlisted', order: Number(s.arrival) }))).get(r.registration_id) ??
          null;
      }
      const scheduled = sessions.filter((s) => s.status === 'scheduled');
      // Only a confirmed place goes into the calendar; a decline withdraws what may be there.
      const calendar =
        r.status === 'confirmed' && scheduled.length
          ? this.calendar(event, scheduled, 'REQUEST')
          : kind === 'declined' && scheduled.length
            ? this.calendar(event, scheduled, 'CANCEL')
            : undefined;
      await this.send(r, { kind, event, sessions: scheduled, status: r.status, waitlistPosition: position }, calendar);
    });
  }

  /** Registrants' mail about a changed or cancelled session (`sessionId`), or a cancelled event (null). */
  programmeChanged(eventId: string, sessionId: string | null, kind: 'changed' | 'cancelled'): void {
    this.enqueue(async () => {
      const { event, sessions } = await this.programme(eventId);
      const about = sessionId ? sessions.filter((s) => s.id === sessionId) : sessions;
      if (!about.length) return;
      const recipients = await this.recipients(
        eventId,
        kind === 'cancelled' && !sessionId ? ['confirmed', 'waitlisted', 'pending'] : ['confirmed'],
      );
      const method = kind === 'cancelled' ? 'CANCEL' : 'REQUEST';
      for (const r of recipients) {
        this.enqueue(() =>
          this.send(
            r,
            { kind, event, sessions: about, status: r.status },
            r.status === 'confirmed' ? this.calendar(event, about, method) : undefined,
          ),
        );
      }
    });
  }

  /** A reminder of one session to everyone confirmed. */
  async remind(eventId: string, sessionId: string): Promise<void> {
    const { event, sessions } = await this.programme(eventId);
    const about = sessions.filter((s) => s.id === sessionId && s.status === 'scheduled');
    if (!about.length || event.status !== 'scheduled') return;
    for (const r of await this.recipients(eventId, ['confirmed']))
      this.enqueue(() => this.send(r, { kind: 'reminder', event, sessions: about, status: r.status }));
  }

  private async recipients(eventId: string, statuses: RegistrationStatus[]): Promise<Recipient[]> {
    return this.db.query(
      `SELECT r.id AS registration_id, u.email, u.display_name, r.language, r.time_zone, r.status
         FROM event_registrations r JOIN users u ON u.id = r.user_id WHERE r.event_id = $1 AND r.status = ANY($2) ORDER BY r.arrival`,
      [eventId, statuses],
    );
  }

  private async programme(eventId: string): Promise<{ event: EventRow; sessions: SessionRow[] }> {
    const [event]: EventRow[] = await this.db.query(`${EVENT_SELECT} WHERE e.id = $1`, [eventId]);
    if (!event) throw new Error(`event ${eventId} is gone`);
    const sessions: SessionRow[] = await this.db.query(`SELECT * FROM event_sessions WHERE event_id = $1 ORDER BY starts_at`, [eventId]);
    return { event, sessions };
  }

  private calendar(event: EventRow, sessions: readonly SessionRow[], method: 'REQUEST' | 'CANCEL') {
    const content = rowsIcs(event, sessions, method, { publicUrl: this.config.publicUrl, from: this.mail.fromAddress });
    return { method, filename: 'invite.ics', content };
  }

  private async send(
    r: Recipient,
    m: { kind: EventMailKind; event: EventRow; sessions: SessionRow[]; status: RegistrationStatus; waitlistPosition?: number | null },
    calendar?: { method: 'REQUEST' | 'CANCEL'; filename: string; content: string },
  ): Promise<void> {
    const text = eventMail({
      kind: m.kind,
      language: r.language,
      name: r.display_name,
      event: { title: m.event.title, timeZone: m.event.time_zone, url: eventPageUrl(this.config.publicUrl, m.event.id) },
      sessions: m.sessions.map((s) => ({ title: s.title, startsAt: s.starts_at, status: s.status })),
      status: m.status,
      waitlistPosition: m.waitlistPosition ?? null,
      timeZone: r.time_zone,
    });
    await this.mail.send(r.email, text, calendar);
  }

  private enqueue(job: () => Promise<void>): void {
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    while (this.running < MAIL_CONCURRENCY && this.queue.length) {
      const job = this.queue.shift()!;
      this.running++;
      void job()
        .catch((err: unknown) => this.logger.error({ err }, 'event mail failed'))
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && !this.queue.length) for (const r of this.idle.splice(0)) r();
        });
    }
  }
}
