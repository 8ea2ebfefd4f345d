import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The language a meeting is held in: its minutes are written in it. Meetings created before it
 * existed are taken to be in English.
 */
export class MeetingLanguage1796171378877 implements MigrationInterface {
  name = 'MeetingLanguage1796171378877';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE meetings ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'zh', 'ar'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE meetings DROP COLUMN language`);
  }
}
