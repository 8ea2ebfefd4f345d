import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The interpreters of a room, each with one language pair; they publish into language channels while
 * the room is live. Kept with the room (not the session), so a restart or the next session has them.
 */
export class RoomInterpreters1796195236612 implements MigrationInterface {
  name = 'RoomInterpreters1796195236612';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE room_interpreters (
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        source_language text NOT NULL,
        target_language text NOT NULL,
        two_way boolean NOT NULL DEFAULT false,
        assigned_by uuid REFERENCES users(id) ON DELETE SET NULL,
        assigned_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (room_id, user_id),
        CHECK (source_language <> target_language AND source_language <> 'sign')
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE room_interpreters`);
  }
}
