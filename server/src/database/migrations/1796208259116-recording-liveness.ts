import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RecordingLiveness1796208259116 implements MigrationInterface {
  name = 'RecordingLiveness1796208259116';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- The node writing a live recording vouches for it; one nobody vouches for any more (its node died)
      -- is composed from what was written instead of staying "recording" for ever.
      ALTER TABLE recordings ADD COLUMN recorder_node text;
      ALTER TABLE recordings ADD COLUMN alive_at timestamptz;
      -- Why composition failed.
      ALTER TABLE recordings ADD COLUMN failure text;
      -- The host's start command, so that a retried start answers with the recording it started.
      ALTER TABLE recordings ADD COLUMN start_request text;
      CREATE UNIQUE INDEX uq_recordings_start_request ON recordings(room_id, start_request) WHERE start_request IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX uq_recordings_start_request;
      ALTER TABLE recordings DROP COLUMN start_request, DROP COLUMN failure, DROP COLUMN alive_at, DROP COLUMN recorder_node;
    `);
  }
}
