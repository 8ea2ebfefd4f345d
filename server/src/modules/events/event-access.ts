import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { RoomRole } from '../../contract';
import { AppError } from '../../common/errors';

/** How long before a session its room counts as the session's (people come in early) and after (overrun). */
export const DOORS_OPEN_MINUTES = 30;

/**
 * The rule at a room's door while a session of a registration-only event is held in it: only people
 * with a confirmed registration (and the organisers, who host) come in, with REGISTRATION_REQUIRED
 * for anyone else. Outside those sessions the room is as it always is.
 */
@Injectable()
export class EventAccess {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** `userId` null: a guest, who can hold no registration. */
  async checkJoin(userId: string | null, roomId: string, role: RoomRole, now = new Date()): Promise<void> {
    if (role === 'host') return;
    const rows: { event_id: string; registered: boolean }[] = await this.db.query(
      `SELECT s.event_id,
              EXISTS (SELECT 1 FROM event_registrations r WHERE r.event_id = s.event_id AND r.user_id = $3 AND r.status = 'confirmed') AS registered
         FROM event_sessions s JOIN events e ON e.id = s.event_id
        WHERE s.room_id = $1 AND s.status = 'scheduled' AND e.status = 'scheduled' AND e.registration <> 'none'
          AND s.starts_at - make_interval(mins => $4) <= $2 AND s.ends_at + make_interval(mins => $4) > $2`,
      [roomId, now, userId, DOORS_OPEN_MINUTES],
    );
    if (rows.length && !rows.some((r) => r.registered)) {
      throw new AppError('REGISTRATION_REQUIRED', 'This session is for registered participants: register for the event first.', {
        eventId: rows[0]!.event_id,
      });
    }
  }
}
