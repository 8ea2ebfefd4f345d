import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BreakoutGroups1796195256411 implements MigrationInterface {
  name = 'BreakoutGroups1796195256411';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE breakout_visits (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES room_sessions(id) ON DELETE CASCADE,
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        round_id uuid NOT NULL,
        group_index integer NOT NULL CHECK (group_index >= 0),
        group_name text NOT NULL DEFAULT '',
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        joined_at timestamptz NOT NULL,
        left_at timestamptz,
        CHECK (left_at IS NULL OR left_at >= joined_at)
      );
      CREATE INDEX ix_breakout_visits_session ON breakout_visits(session_id, user_id);
      CREATE UNIQUE INDEX uq_breakout_visits_open ON breakout_visits(session_id, user_id) WHERE left_at IS NULL;
      -- A message written in a breakout group belongs to that group's conversation (round:group).
      ALTER TABLE chat_messages ADD COLUMN breakout text;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE chat_messages DROP COLUMN breakout; DROP TABLE breakout_visits;`);
  }
}
