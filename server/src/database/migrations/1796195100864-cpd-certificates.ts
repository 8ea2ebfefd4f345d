import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * CPD certificates: an event's threshold (minutes over the programme, or a percent of each session's
 * live time) and the certificates issued under it. One certificate per person and event, made once
 * (the unique key makes issuing idempotent); a revocation keeps the row, with who, when and why.
 */
export class CpdCertificates1796195100864 implements MigrationInterface {
  name = 'CpdCertificates1796195100864';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE events
        ADD COLUMN cpd_mode text CHECK (cpd_mode IN ('minutes', 'percent')),
        ADD COLUMN cpd_value numeric,
        ADD CONSTRAINT ck_events_cpd CHECK (
          (cpd_mode IS NULL AND cpd_value IS NULL)
          OR (cpd_mode = 'minutes' AND cpd_value >= 1 AND cpd_value = trunc(cpd_value))
          OR (cpd_mode = 'percent' AND cpd_value > 0 AND cpd_value <= 100));

      CREATE TABLE certificates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id uuid NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        holder_name text NOT NULL,
        total_minutes integer NOT NULL CHECK (total_minutes >= 0),
        threshold jsonb NOT NULL,
        sessions jsonb NOT NULL,
        credential text NOT NULL,
        key_id text NOT NULL,
        issued_at timestamptz NOT NULL,
        issued_by uuid REFERENCES users(id) ON DELETE SET NULL,
        revoked_at timestamptz,
        revoked_by uuid REFERENCES users(id) ON DELETE SET NULL,
        revocation_reason text,
        CONSTRAINT uq_certificates_holder UNIQUE (event_id, user_id),
        CHECK ((revoked_at IS NULL) = (revocation_reason IS NULL))
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE certificates;
      ALTER TABLE events DROP CONSTRAINT ck_events_cpd, DROP COLUMN cpd_mode, DROP COLUMN cpd_value;
    `);
  }
}
