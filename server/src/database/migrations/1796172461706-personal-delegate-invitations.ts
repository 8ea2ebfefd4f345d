import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A delegate's link is personal: it may name the person it is for (only the account with that e-mail
 * address can accept it) and carries a label for the list of links. Who used a link is kept, so the
 * list can say it was used and by whom.
 */
export class PersonalDelegateInvitations1796172461706 implements MigrationInterface {
  name = 'PersonalDelegateInvitations1796172461706';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE invitations
        ADD COLUMN invitee_email text,
        ADD COLUMN invitee_name text,
        ADD COLUMN last_used_by uuid REFERENCES users(id) ON DELETE SET NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE invitations DROP COLUMN invitee_email, DROP COLUMN invitee_name, DROP COLUMN last_used_by`);
  }
}
