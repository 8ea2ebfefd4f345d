import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { LOGGER } from '../../../common/logging';

export interface GroupPresence {
  sessionId: string;
  roomId: string;
  userId: string;
  roundId: string;
  /** The group entered; null: the person left their group (back in the main room, or gone). */
  group: number | null;
  name: string;
  at: Date;
}

/**
 * Breakout time, for the attendance report: one row per stay of a person in a group. Writes run one
 * after another, so that a move (leave one group, enter another) is stored in the order it happened.
 */
@Injectable()
export class BreakoutLog {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  record(e: GroupPresence): void {
    this.chain = this.chain
      .then(() => this.write(e))
      .catch((err: unknown) => this.logger.error({ err, sessionId: e.sessionId }, 'could not record breakout time'));
  }

  /** Resolves once everything recorded so far is written (or has failed and been logged). */
  flush(): Promise<void> {
    return this.chain;
  }

  private async write(e: GroupPresence): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query(
        `UPDATE breakout_visits SET left_at = greatest($3, joined_at) WHERE session_id = $1 AND user_id = $2 AND left_at IS NULL`,
        [e.sessionId, e.userId, e.at],
      );
      if (e.group === null) return;
      await m.query(
        `INSERT INTO breakout_visits (session_id, room_id, round_id, group_index, group_name, user_id, joined_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [e.sessionId, e.roomId, e.roundId, e.group, e.name, e.userId, e.at],
      );
    });
  }
}
