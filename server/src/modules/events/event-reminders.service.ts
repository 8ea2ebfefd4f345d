import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { LOGGER } from '../../common/logging';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { EventNotifier } from './event-notifier';
import { dueReminders, reminderKey } from './reminders';

/**
 * Sends the reminders that are due, every EVENT_REMINDER_CHECK_SECONDS. A reminder is claimed by
 * inserting its row in event_reminders_sent before it goes, so it goes once even with several
 * server processes, and a restart does not send it again.
 */
@Injectable()
export class EventReminders implements OnModuleInit, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly notifier: EventNotifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.tick(), this.config.eventReminderCheckSeconds * 1000).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async tick(now = new Date()): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const rows: { id: string; event_id: string; starts_at: Date; reminder_minutes: number[]; sent: number[] }[] = await this.db.query(
        `SELECT s.id, s.event_id, s.starts_at, e.reminder_minutes,
                coalesce((SELECT array_agg(offset_minutes) FROM event_reminders_sent r WHERE r.session_id = s.id), '{}') AS sent
           FROM event_sessions s JOIN events e ON e.id = s.event_id
          WHERE s.status = 'scheduled' AND e.status = 'scheduled' AND e.registration <> 'none'
            AND s.starts_at > $1 AND s.starts_at <= $1::timestamptz + interval '14 days'`,
        [now],
      );
      for (const r of rows) {
        const sent = new Set(r.sent.map((o) => reminderKey({ sessionId: r.id, offsetMinutes: o })));
        for (const due of dueReminders([{ id: r.id, startsAt: r.starts_at }], r.reminder_minutes, now, sent)) {
          // (An INSERT's RETURNING rows come back as a plain array; UPDATE's would be [rows, count].)
          const claimed: unknown[] = await this.db.query(
            `INSERT INTO event_reminders_sent (session_id, offset_minutes) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING session_id`,
            [due.sessionId, due.offsetMinutes],
          );
          if (claimed.length) await this.notifier.remind(r.event_id, r.id);
        }
      }
    } catch (err) {
      this.logger.warn({ err }, 'could not send event reminders');
    } finally {
      this.busy = false;
    }
  }
}
