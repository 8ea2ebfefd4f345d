import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Secret ballots that a database reader cannot open or link: each cast row carries its own envelope
 * (fixed size, encrypted to the ballot's key, which lives outside the database), the bulletin board is
 * written only at the count, in random order, one row per unit of weight, and proxy instructions are
 * sealed with a public commitment in their place.
 */
export class BallotSecrecy1764547200000 implements MigrationInterface {
  name = 'BallotSecrecy1764547200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE ballots ADD COLUMN public_key text, ADD COLUMN published_seq integer, ADD COLUMN published_hash text, ADD COLUMN spoiled integer;
      ALTER TABLE ballot_casts ADD COLUMN envelope bytea, ALTER COLUMN sealed_receipt DROP NOT NULL, DROP COLUMN sealed_ref;
      -- Choices of secret ballots counted before this version; no longer written or read.
      ALTER TABLE secret_choices RENAME TO retired_secret_choices;
      CREATE TABLE ballot_bulletin (
        ballot_id uuid NOT NULL REFERENCES ballots(id) ON DELETE CASCADE,
        receipt_hash text NOT NULL,
        choice jsonb NOT NULL,
        PRIMARY KEY (ballot_id, receipt_hash)
      );
      ALTER TABLE proxies ADD COLUMN sealed_instructions bytea, ADD COLUMN instructions_commitment text;
      ALTER TABLE ballot_roll ADD COLUMN sealed_instruction bytea, ADD COLUMN instruction_commitment text;
      -- An anonymous poll's choices wait here, sealed to the poll's own key, until the close adds them up.
      ALTER TABLE poll_voters ADD COLUMN sealed_choices bytea;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE poll_voters DROP COLUMN sealed_choices;
      ALTER TABLE ballot_roll DROP COLUMN sealed_instruction, DROP COLUMN instruction_commitment;
      ALTER TABLE proxies DROP COLUMN sealed_instructions, DROP COLUMN instructions_commitment;
      DROP TABLE ballot_bulletin;
      ALTER TABLE retired_secret_choices RENAME TO secret_choices;
      ALTER TABLE ballot_casts DROP COLUMN envelope, ADD COLUMN sealed_ref bytea;
      ALTER TABLE ballots DROP COLUMN public_key, DROP COLUMN published_seq, DROP COLUMN published_hash, DROP COLUMN spoiled;
    `);
  }
}
