import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Invitations and room invite links can be limited in uses, listed and revoked. */
export class InvitationLimits1764633600000 implements MigrationInterface {
  name = 'InvitationLimits1764633600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE invitations ADD COLUMN max_uses integer CHECK (max_uses >= 1);
      ALTER TABLE room_invites
        ADD COLUMN revoked_at timestamptz,
        ADD COLUMN max_uses integer CHECK (max_uses >= 1);
      -- Who came in through a room link: a person counts once, however often they rejoin.
      CREATE TABLE room_invite_uses (
        invite_id uuid NOT NULL REFERENCES room_invites(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        used_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (invite_id, user_id)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE room_invite_uses;
      ALTER TABLE room_invites DROP COLUMN revoked_at, DROP COLUMN max_uses;
      ALTER TABLE invitations DROP COLUMN max_uses;
    `);
  }
}
