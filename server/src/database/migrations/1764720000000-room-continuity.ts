import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a room session needs to outlive its process: when the process last vouched for it
 * (alive_at, every few seconds), when it was handed over at a shutdown (suspended_at), and the
 * session's stage state (roles, hands, options, removals). An attendance record keeps its person's
 * gaps instead of being cut in two.
 */
export class RoomContinuity1764720000000 implements MigrationInterface {
  name = 'RoomContinuity1764720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE room_sessions
        ADD COLUMN alive_at timestamptz,
        ADD COLUMN suspended_at timestamptz,
        ADD COLUMN state jsonb;
      ALTER TABLE attendance ADD COLUMN gaps jsonb NOT NULL DEFAULT '[]'::jsonb;
      CREATE INDEX ix_room_sessions_open ON room_sessions(room_id) WHERE ended_at IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX ix_room_sessions_open;
      ALTER TABLE attendance DROP COLUMN gaps;
      ALTER TABLE room_sessions DROP COLUMN alive_at, DROP COLUMN suspended_at, DROP COLUMN state;
    `);
  }
}
