import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tellers hold a secret ballot's key: each has an X25519 key of their own (its private half stays on
 * their device), a ballot's key is split among the meeting's tellers when it opens, and the count
 * waits ('counting') until enough of them release their shares.
 */
export class BallotTellers1796183588782 implements MigrationInterface {
  name = 'BallotTellers1796183588782';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE teller_keys (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        public_key text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      ALTER TABLE meetings ADD COLUMN tellers uuid[] NOT NULL DEFAULT '{}', ADD COLUMN teller_threshold integer NOT NULL DEFAULT 1;
      ALTER TABLE ballots DROP CONSTRAINT ballots_status_check;
      ALTER TABLE ballots ADD CONSTRAINT ballots_status_check CHECK (status IN ('draft', 'open', 'counting', 'closed', 'published'));
      ALTER TABLE ballots ADD COLUMN key_threshold integer, ADD COLUMN voting_closed_at timestamptz;
      CREATE TABLE ballot_key_shares (
        ballot_id uuid NOT NULL REFERENCES ballots(id) ON DELETE CASCADE,
        teller_id uuid NOT NULL,
        sealed_share bytea NOT NULL,
        released_share bytea,
        released_at timestamptz,
        PRIMARY KEY (ballot_id, teller_id)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE ballot_key_shares;
      ALTER TABLE ballots DROP COLUMN key_threshold, DROP COLUMN voting_closed_at;
      ALTER TABLE ballots DROP CONSTRAINT ballots_status_check;
      ALTER TABLE ballots ADD CONSTRAINT ballots_status_check CHECK (status IN ('draft', 'open', 'closed', 'published'));
      ALTER TABLE meetings DROP COLUMN tellers, DROP COLUMN teller_threshold;
      DROP TABLE teller_keys;
    `);
  }
}
