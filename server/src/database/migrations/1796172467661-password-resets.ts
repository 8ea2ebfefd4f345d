import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Password-reset links: only the token's hash is stored; each works once and until it expires. */
export class PasswordResets1796172467661 implements MigrationInterface {
  name = 'PasswordResets1796172467661';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE password_resets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash text NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_password_resets_token UNIQUE (token_hash)
      );
      CREATE INDEX ix_password_resets_user ON password_resets(user_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE password_resets`);
  }
}
