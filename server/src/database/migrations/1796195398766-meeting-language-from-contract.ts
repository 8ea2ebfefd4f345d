import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A meeting's language is checked against the one language list in the contract when it is created;
 * a CHECK constraint spelling the list again in the database would need a migration for every
 * language added (and would refuse it until then).
 */
export class MeetingLanguageFromContract1796195398766 implements MigrationInterface {
  name = 'MeetingLanguageFromContract1796195398766';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE meetings DROP CONSTRAINT IF EXISTS meetings_language_check`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE meetings SET language = 'en' WHERE language NOT IN ('en', 'zh', 'ar')`);
    await q.query(`ALTER TABLE meetings ADD CONSTRAINT meetings_language_check CHECK (language IN ('en', 'zh', 'ar'))`);
  }
}
