import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events of an organisation, their programme (sessions in rooms or meetings), registrations with a
 * waitlist in arrival order, and the reminders already sent. Instants are timestamptz (UTC); the
 * event's IANA zone is kept beside them for display and for reading organisers' wall-clock times.
 */
export class Events1796186124442 implements MigrationInterface {
  name = 'Events1796186124442';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        title text NOT NULL,
        description text NOT NULL DEFAULT '',
        kind text NOT NULL CHECK (kind IN ('conference', 'series')),
        time_zone text NOT NULL,
        visibility text NOT NULL CHECK (visibility IN ('public', 'members')),
        registration text NOT NULL CHECK (registration IN ('none', 'open', 'approval')),
        capacity integer CHECK (capacity IS NULL OR capacity > 0),
        registration_closes_at timestamptz,
        questions jsonb NOT NULL DEFAULT '[]',
        tracks jsonb NOT NULL DEFAULT '[]',
        reminder_minutes jsonb NOT NULL DEFAULT '[1440, 60]',
        status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
        sequence integer NOT NULL DEFAULT 0,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ix_events_org ON events(organization_id);
      CREATE INDEX ix_events_public ON events(visibility) WHERE status = 'scheduled';

      CREATE TABLE event_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id uuid NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        title text NOT NULL,
        description text NOT NULL DEFAULT '',
        kind text NOT NULL CHECK (kind IN ('talk', 'panel', 'webinar', 'board-meeting')),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        track text,
        room_id uuid REFERENCES rooms(id) ON DELETE SET NULL,
        meeting_id uuid REFERENCES meetings(id) ON DELETE SET NULL,
        speakers jsonb NOT NULL DEFAULT '[]',
        status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
        sequence integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_event_sessions_range CHECK (ends_at > starts_at)
      );
      CREATE INDEX ix_event_sessions_event ON event_sessions(event_id, starts_at);
      CREATE INDEX ix_event_sessions_room ON event_sessions(room_id, starts_at) WHERE room_id IS NOT NULL;

      CREATE SEQUENCE event_registration_order;
      CREATE TABLE event_registrations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id uuid NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        status text NOT NULL CHECK (status IN ('pending', 'confirmed', 'waitlisted', 'cancelled', 'declined')),
        arrival bigint NOT NULL,
        client_request_id uuid NOT NULL,
        answers jsonb NOT NULL DEFAULT '{}',
        language text NOT NULL DEFAULT 'en',
        time_zone text,
        registered_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_event_registrations_person UNIQUE (event_id, user_id)
      );
      CREATE INDEX ix_event_registrations_queue ON event_registrations(event_id, status, arrival);

      CREATE TABLE event_reminders_sent (
        session_id uuid NOT NULL REFERENCES event_sessions(id) ON DELETE CASCADE,
        offset_minutes integer NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (session_id, offset_minutes)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP TABLE event_reminders_sent; DROP TABLE event_registrations; DROP SEQUENCE event_registration_order; DROP TABLE event_sessions; DROP TABLE events`,
    );
  }
}
