import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Guest passes: people without an account in a public webinar. Each guest has a user row of their
 * own (so chat, questions, polls and attendance work as for anyone) that cannot sign in, and a pass
 * that opens that one room until it expires or is revoked. `address` is kept for abuse reports.
 */
export class GuestPasses1796171613042 implements MigrationInterface {
  name = 'GuestPasses1796171613042';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE guest_passes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        display_name text NOT NULL,
        address text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        CONSTRAINT uq_guest_passes_user UNIQUE (user_id)
      );
      CREATE INDEX ix_guest_passes_room ON guest_passes(room_id);
      CREATE INDEX ix_guest_passes_address ON guest_passes(address, created_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE guest_passes;`);
  }
}
