import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Live captions. Captioners are kept with the room (like interpreters), one row per language they
 * caption into; automatic captions are a setting of the room. Every committed line is kept with its
 * session (offsets from the session's start), so each session's captions can be downloaded as WebVTT.
 */
export class RoomCaptions1796207247263 implements MigrationInterface {
  name = 'RoomCaptions1796207247263';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE room_captioners (
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        language text NOT NULL,
        assigned_by uuid REFERENCES users(id) ON DELETE SET NULL,
        assigned_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (room_id, user_id, language)
      )`);
    await q.query(`
      CREATE TABLE room_caption_settings (
        room_id uuid PRIMARY KEY REFERENCES rooms(id) ON DELETE CASCADE,
        automatic boolean NOT NULL DEFAULT false,
        language text NOT NULL DEFAULT 'en',
        updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE caption_lines (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES room_sessions(id) ON DELETE CASCADE,
        language text NOT NULL,
        start_ms integer NOT NULL CHECK (start_ms >= 0),
        end_ms integer NOT NULL,
        text text NOT NULL,
        speaker_name text,
        author_id uuid REFERENCES users(id) ON DELETE SET NULL,
        source text NOT NULL CHECK (source IN ('typed', 'automatic')),
        group_index integer,
        client_request_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (end_ms > start_ms)
      )`);
    await q.query(`CREATE INDEX caption_lines_session ON caption_lines (session_id, language, start_ms)`);
    // A retried commit (same request) is stored once.
    await q.query(`CREATE UNIQUE INDEX caption_lines_request ON caption_lines (session_id, author_id, client_request_id) WHERE client_request_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE caption_lines`);
    await q.query(`DROP TABLE room_caption_settings`);
    await q.query(`DROP TABLE room_captioners`);
  }
}
