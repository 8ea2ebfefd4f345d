import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The archive of recordings: each recording's description in Dublin Core (filled with defaults when
 * it is ready, then edited by its organisers), who may watch it, how long it is kept, and its
 * deletion, after which the row stays as a tombstone with its files' hashes. An organisation's policy
 * gives new recordings their access level and retention period.
 */
export class RecordingArchive1796207116577 implements MigrationInterface {
  name = 'RecordingArchive1796207116577';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE recordings
        ADD COLUMN title text,
        ADD COLUMN creator text,
        ADD COLUMN subject text[] NOT NULL DEFAULT '{}',
        ADD COLUMN description text,
        ADD COLUMN language text,
        ADD COLUMN rights text,
        -- Dublin Core's date, W3CDTF (2026-03-29, or a full instant).
        ADD COLUMN dc_date text,
        ADD COLUMN access text NOT NULL DEFAULT 'hosts' CHECK (access IN ('public', 'members', 'hosts')),
        ADD COLUMN retain_until date,
        ADD COLUMN archived_at timestamptz,
        ADD COLUMN metadata_updated_at timestamptz,
        ADD COLUMN metadata_updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
        ADD COLUMN deleted_at timestamptz,
        ADD COLUMN deleted_by uuid REFERENCES users(id) ON DELETE SET NULL,
        ADD COLUMN deletion_reason text,
        -- A deletion is a tombstone: the status says so and the reason is kept.
        ADD CONSTRAINT ck_recordings_tombstone CHECK (deleted_at IS NULL OR (status = 'deleted' AND deletion_reason IS NOT NULL));
      CREATE INDEX ix_recordings_retention ON recordings(retain_until) WHERE status <> 'deleted' AND retain_until IS NOT NULL;
      CREATE INDEX ix_recordings_event_session ON recordings(event_session_id) WHERE event_session_id IS NOT NULL;
      CREATE INDEX ix_recordings_unarchived ON recordings(started_at) WHERE status = 'ready' AND archived_at IS NULL;

      CREATE TABLE archive_policies (
        organization_id uuid PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
        default_access text NOT NULL DEFAULT 'hosts' CHECK (default_access IN ('public', 'members', 'hosts')),
        retention_days integer CHECK (retention_days IS NULL OR retention_days BETWEEN 1 AND 36500),
        updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE archive_policies;
      DROP INDEX ix_recordings_unarchived;
      DROP INDEX ix_recordings_event_session;
      DROP INDEX ix_recordings_retention;
      ALTER TABLE recordings
        DROP CONSTRAINT ck_recordings_tombstone,
        DROP COLUMN deletion_reason, DROP COLUMN deleted_by, DROP COLUMN deleted_at,
        DROP COLUMN metadata_updated_by, DROP COLUMN metadata_updated_at, DROP COLUMN archived_at,
        DROP COLUMN retain_until, DROP COLUMN access, DROP COLUMN dc_date, DROP COLUMN rights,
        DROP COLUMN language, DROP COLUMN description, DROP COLUMN subject, DROP COLUMN creator, DROP COLUMN title;
    `);
  }
}
