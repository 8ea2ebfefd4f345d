import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ChannelLanguage, InterpreterAssignment } from '../../contract';
import { AppError } from '../../common/errors';
import { pairProblem } from './live/interpretation';

interface Row {
  user_id: string;
  display_name: string;
  source_language: ChannelLanguage;
  target_language: ChannelLanguage;
  two_way: boolean;
}

/** The stored interpreters of rooms (one language pair per person and room). */
@Injectable()
export class InterpretationService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(roomId: string): Promise<InterpreterAssignment[]> {
    const rows: Row[] = await this.db.query(
      `SELECT i.user_id, u.display_name, i.source_language, i.target_language, i.two_way
         FROM room_interpreters i JOIN users u ON u.id = i.user_id
        WHERE i.room_id = $1 ORDER BY i.assigned_at, i.user_id`,
      [roomId],
    );
    return rows.map((r) => ({
      userId: r.user_id,
      displayName: r.display_name,
      from: r.source_language,
      to: r.target_language,
      twoWay: r.two_way,
    }));
  }

  /** Someone with an account (not a guest pass) becomes an interpreter of the room; their previous pair is replaced. */
  async assign(
    roomId: string,
    by: string,
    a: { userId: string; from: ChannelLanguage; to: ChannelLanguage; twoWay: boolean },
  ): Promise<InterpreterAssignment[]> {
    const problem = pairProblem(a.from, a.to, a.twoWay);
    if (problem) throw new AppError(problem, 'Interpret from a spoken language into another one; sign language is one-way.');
    const [user]: { guest: boolean }[] = await this.db.query(
      `SELECT EXISTS (SELECT 1 FROM guest_passes g WHERE g.user_id = u.id) AS guest FROM users u WHERE u.id = $1`,
      [a.userId],
    );
    if (!user) throw new AppError('NOT_FOUND', 'No such person.');
    if (user.guest) throw new AppError('GUESTS_NOT_ALLOWED', 'A guest cannot interpret; invite them with an account.');
    await this.db.query(
      `INSERT INTO room_interpreters (room_id, user_id, source_language, target_language, two_way, assigned_by)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (room_id, user_id) DO UPDATE SET source_language = EXCLUDED.source_language,
         target_language = EXCLUDED.target_language, two_way = EXCLUDED.two_way, assigned_by = EXCLUDED.assigned_by`,
      [roomId, a.userId, a.from, a.to, a.twoWay, by],
    );
    return this.list(roomId);
  }

  async unassign(roomId: string, userId: string): Promise<InterpreterAssignment[]> {
    await this.db.query(`DELETE FROM room_interpreters WHERE room_id = $1 AND user_id = $2`, [roomId, userId]);
    return this.list(roomId);
  }
}
