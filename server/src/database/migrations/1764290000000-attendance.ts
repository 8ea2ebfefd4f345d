import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Attendance1764290000000 implements MigrationInterface {
  name = 'Attendance1764290000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE attendance (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES room_sessions(id) ON DELETE CASCADE,
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        display_name text NOT NULL,
        joined_at timestamptz NOT NULL DEFAULT now(),
        left_at timestamptz,
        CHECK (left_at IS NULL OR left_at >= joined_at)
      );
      CREATE INDEX ix_attendance_session ON attendance(session_id, user_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE attendance;`);
  }
}
