import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Governance1764460800000 implements MigrationInterface {
  name = 'Governance1764460800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE meetings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        room_id uuid REFERENCES rooms(id) ON DELETE SET NULL,
        title text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('board', 'general-assembly')),
        scheduled_at timestamptz NOT NULL,
        voter_basis text NOT NULL CHECK (voter_basis IN ('institutions', 'members')),
        quorum_rule jsonb NOT NULL,
        chair_id uuid NOT NULL REFERENCES users(id),
        secretary_id uuid REFERENCES users(id),
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ix_meetings_org ON meetings(organization_id);
      CREATE TABLE agenda_items (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        meeting_id uuid NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
        position integer NOT NULL,
        title text NOT NULL,
        description text,
        UNIQUE (meeting_id, position)
      );
      CREATE TABLE motions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        meeting_id uuid NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
        agenda_item_id uuid REFERENCES agenda_items(id) ON DELETE SET NULL,
        amends_motion_id uuid REFERENCES motions(id) ON DELETE CASCADE,
        title text NOT NULL,
        text text NOT NULL,
        mover_id uuid NOT NULL REFERENCES users(id),
        seconder_id uuid REFERENCES users(id),
        status text NOT NULL DEFAULT 'draft',
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (seconder_id IS NULL OR seconder_id <> mover_id)
      );
      CREATE TABLE proxies (
        meeting_id uuid NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
        seat_id uuid NOT NULL,
        grantor_id uuid NOT NULL REFERENCES users(id),
        holder_id uuid NOT NULL REFERENCES users(id),
        instructions jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (meeting_id, seat_id)
      );
      CREATE TABLE presence_log (
        id bigserial PRIMARY KEY,
        meeting_id uuid NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id),
        event text NOT NULL CHECK (event IN ('check-in', 'check-out')),
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ix_presence_meeting ON presence_log(meeting_id, user_id, id);
      CREATE TABLE ballots (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        meeting_id uuid NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
        motion_id uuid REFERENCES motions(id),
        kind text NOT NULL CHECK (kind IN ('motion', 'election')),
        title text NOT NULL,
        options jsonb NOT NULL,
        seats integer NOT NULL DEFAULT 1,
        max_choices integer NOT NULL DEFAULT 1,
        secrecy text NOT NULL CHECK (secrecy IN ('roll-call', 'secret')),
        rule text NOT NULL,
        abstentions_count boolean NOT NULL,
        allow_revote boolean NOT NULL,
        duration_seconds integer,
        status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed', 'published')),
        opened_at timestamptz,
        closes_at timestamptz,
        closed_at timestamptz,
        published_at timestamptz,
        quorum_override text,
        present_weight integer,
        entitled_weight integer,
        result jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ix_ballots_meeting ON ballots(meeting_id);
      -- The voter roll frozen when the ballot opened: this, not the live membership, is what counts.
      CREATE TABLE ballot_roll (
        ballot_id uuid NOT NULL REFERENCES ballots(id) ON DELETE CASCADE,
        seat_id uuid NOT NULL,
        label text NOT NULL,
        weight integer NOT NULL CHECK (weight >= 1),
        holders uuid[] NOT NULL,
        proxy_holder uuid,
        instruction text,
        present boolean NOT NULL,
        PRIMARY KEY (ballot_id, seat_id)
      );
      -- Who voted for which seat. The primary key makes a second counted ballot for a seat impossible.
      -- Secret ballots keep no choice here; their choices live sealed in secret_choices.
      CREATE TABLE ballot_casts (
        ballot_id uuid NOT NULL REFERENCES ballots(id) ON DELETE CASCADE,
        seat_id uuid NOT NULL,
        voter_id uuid NOT NULL REFERENCES users(id),
        as_proxy boolean NOT NULL,
        request_key text NOT NULL,
        sealed_receipt bytea NOT NULL,
        choice jsonb,
        receipt_hash text,
        sealed_ref bytea,
        cast_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (ballot_id, seat_id),
        FOREIGN KEY (ballot_id, seat_id) REFERENCES ballot_roll(ballot_id, seat_id),
        UNIQUE (ballot_id, voter_id, request_key, seat_id)
      );
      CREATE TABLE secret_choices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ballot_id uuid NOT NULL REFERENCES ballots(id) ON DELETE CASCADE,
        sealed bytea NOT NULL,
        receipt_hash text NOT NULL UNIQUE
      );
      CREATE INDEX ix_secret_choices_ballot ON secret_choices(ballot_id);
      CREATE TABLE audit_log (
        meeting_id uuid NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
        seq integer NOT NULL,
        at timestamptz NOT NULL,
        kind text NOT NULL,
        payload jsonb NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        PRIMARY KEY (meeting_id, seq)
      );
      -- Append-only, whatever the application does.
      CREATE FUNCTION audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_immutable();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE audit_log; DROP FUNCTION audit_log_immutable(); DROP TABLE secret_choices; DROP TABLE ballot_casts;
      DROP TABLE ballot_roll; DROP TABLE ballots; DROP TABLE presence_log; DROP TABLE proxies; DROP TABLE motions;
      DROP TABLE agenda_items; DROP TABLE meetings;
    `);
  }
}
