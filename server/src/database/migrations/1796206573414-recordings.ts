import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Recordings1796206573414 implements MigrationInterface {
  name = 'Recordings1796206573414';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- One recording of a room: from the host's start to the stop (or the end of the session).
      CREATE TABLE recordings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        session_id uuid REFERENCES room_sessions(id) ON DELETE SET NULL,
        meeting_id uuid REFERENCES meetings(id) ON DELETE SET NULL,
        event_session_id uuid REFERENCES event_sessions(id) ON DELETE SET NULL,
        status text NOT NULL DEFAULT 'recording' CHECK (status IN ('recording', 'processing', 'ready', 'failed', 'deleted')),
        started_by uuid REFERENCES users(id) ON DELETE SET NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (ended_at IS NULL OR ended_at >= started_at)
      );
      CREATE INDEX ix_recordings_org ON recordings(organization_id, started_at DESC);
      CREATE INDEX ix_recordings_room ON recordings(room_id, started_at DESC);
      -- A room records at most once at a time.
      CREATE UNIQUE INDEX uq_recordings_live ON recordings(room_id) WHERE status = 'recording';

      -- Every file a recording is made of, with the hash taken when it was written.
      CREATE TABLE recording_files (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        recording_id uuid NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('track', 'composite', 'hls', 'captions', 'poster', 'metadata')),
        path text NOT NULL CHECK (path !~ '(^/|\\.\\.)'),
        media_type text NOT NULL,
        bytes bigint NOT NULL CHECK (bytes >= 0),
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        language text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (recording_id, path)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE recording_files; DROP TABLE recordings;`);
  }
}
