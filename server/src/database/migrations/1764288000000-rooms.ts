import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Rooms1764288000000 implements MigrationInterface {
  name = 'Rooms1764288000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rooms (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        mode text NOT NULL CHECK (mode IN ('meeting', 'webinar')),
        access text NOT NULL CHECK (access IN ('members', 'public')),
        capacity integer NOT NULL CHECK (capacity BETWEEN 2 AND 5000),
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ix_rooms_org ON rooms(organization_id);
      CREATE TABLE room_invites (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        token_hash text NOT NULL,
        created_by uuid NOT NULL REFERENCES users(id),
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_room_invites_token UNIQUE (token_hash)
      );
      CREATE TABLE room_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        started_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz
      );
      -- At most one live session per room, whatever happens to the process.
      CREATE UNIQUE INDEX uq_room_sessions_live ON room_sessions(room_id) WHERE ended_at IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE room_sessions; DROP TABLE room_invites; DROP TABLE rooms;`);
  }
}
