import { existsSync } from 'node:fs';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { DomainEvents } from '../../common/domain-events';
import { LOGGER } from '../../common/logging';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { AuditLog } from '../governance/audit-log';
import { recordingDir } from '../recordings/recording-files';
import { ANONYMOUS, ArchiveService } from './archive.service';
import { storedDublinCore } from './archive-rows';
import { withDefaults } from './dublin-core';
import { deletable } from './recording-access';

/** The reason a retention deletion gives, in every tombstone and audit entry it leaves. */
export const RETENTION_REASON = 'retention period ended';

/**
 * What happens to a recording around its life in the archive, without anyone asking:
 * - when the recorder says it is ready (`recording.ready`): its empty Dublin Core fields get their
 *   defaults, the organisation's policy gives its access level and retention date, and a formal
 *   meeting's audit log gets one entry naming each file with its SHA-256 — once, whoever gets there first;
 * - every RECORDING_SWEEP_SECONDS (and at start-up): recordings past their retention date are deleted
 *   with the reason "retention period ended", ready recordings missed (the server stopped between the
 *   recorder's commit and this listener) are caught up, and folders of deleted recordings still on
 *   disk are removed.
 */
@Injectable()
export class RecordingArchiver implements OnModuleInit, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<SweepReport> | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly archive: ArchiveService,
    private readonly audit: AuditLog,
    private readonly events: DomainEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.events.on('recording.ready', ({ recordingId }) => {
      this.archiveReady(recordingId).catch((err: unknown) =>
        this.logger.error({ err, recordingId }, 'could not archive a ready recording; the sweep retries'),
      );
    });
    this.timer = setInterval(() => void this.sweep().catch(() => undefined), this.config.recordingSweepSeconds * 1000).unref();
    setImmediate(() => void this.sweep().catch(() => undefined));
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Returns whether this call archived it (false: not ready, or archived already). */
  async archiveReady(recordingId: string): Promise<boolean> {
    const done = await this.db.transaction(async (m) => {
      const row = await this.archive.row(ANONYMOUS, recordingId, m, true).catch(() => null);
      if (!row || row.status !== 'ready' || row.archived_at) return false;
      const [floor]: { language: string }[] = row.meeting_language
        ? []
        : await m.query(
            `SELECT source_language AS language FROM room_interpreters WHERE room_id = $1 GROUP BY source_language ORDER BY count(*) DESC, source_language LIMIT 1`,
            [row.room_id],
          );
      const dc = withDefaults(storedDublinCore(row), {
        organizationName: row.organization_name,
        roomName: row.room_name,
        meetingTitle: row.meeting_title,
        eventSessionTitle: row.event_session_title,
        startedAt: row.started_at,
        language: row.meeting_language ?? floor?.language ?? null,
      });
      const policy = await this.archive.policyOf(row.organization_id, m);
      const [meta]: { metadata_updated_at: Date | null }[] = await m.query(`SELECT metadata_updated_at FROM recordings WHERE id = $1`, [
        row.id,
      ]);
      // The policy is a default: what a host already chose for this recording stands.
      const access = meta?.metadata_updated_at ? row.access : policy.defaultAccess;
      await m.query(
        `UPDATE recordings SET title = $2, creator = $3, language = $4, dc_date = $5, access = $6, archived_at = now(),
                retain_until = CASE WHEN retain_until IS NULL AND $7::int IS NOT NULL THEN (coalesce(ended_at, started_at) AT TIME ZONE 'UTC')::date + $7::int ELSE retain_until END
          WHERE id = $1`,
        [row.id, dc.title, dc.creator, dc.language, dc.date, access, policy.retentionDays],
      );
      if (row.meeting_id) {
        const files = await this.archive.files(row.id, m);
        await this.audit.append(m, row.meeting_id, [
          {
            kind: 'recording.archived',
            payload: {
              recordingId: row.id,
              startedAt: row.started_at.toISOString(),
              endedAt: row.ended_at?.toISOString() ?? null,
              files: files.map((f) => ({ path: f.path, kind: f.kind, bytes: Number(f.bytes), sha256: f.sha256 })),
            },
          },
        ]);
      }
      return true;
    });
    if (done) this.logger.info({ recordingId }, 'recording archived');
    return done;
  }

  /** One pass of the sweep (a second call while one runs waits for it). */
  sweep(now = new Date()): Promise<SweepReport> {
    this.sweeping ??= this.sweepOnce(now).finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweepOnce(now: Date): Promise<SweepReport> {
    const report: SweepReport = { archived: 0, deleted: 0, foldersRemoved: 0 };
    try {
      const missed: { id: string }[] = await this.db.query(
        `SELECT id FROM recordings WHERE status = 'ready' AND archived_at IS NULL ORDER BY started_at LIMIT 100`,
      );
      for (const { id } of missed) if (await this.archiveReady(id).catch((err: unknown) => this.failed(err, id))) report.archived++;

      // Kept "until" a day: through the end of that day, UTC.
      const due: { id: string }[] = await this.db.query(
        `SELECT id FROM recordings WHERE retain_until IS NOT NULL AND retain_until < ($1::timestamptz AT TIME ZONE 'UTC')::date AND status <> 'deleted' ORDER BY retain_until LIMIT 100`,
        [now],
      );
      for (const { id } of due) if (await this.expire(id).catch((err: unknown) => this.failed(err, id))) report.deleted++;

      const gone: { id: string }[] = await this.db.query(
        `SELECT id FROM recordings WHERE status = 'deleted' AND deleted_at > $1::timestamptz - interval '30 days'`,
        [now],
      );
      for (const { id } of gone) {
        if (existsSync(recordingDir(this.config.dataDir, id)) && (await this.archive.removeFiles(id))) report.foldersRemoved++;
      }
    } catch (err) {
      this.logger.warn({ err }, 'the recordings sweep failed; it runs again later');
    }
    if (report.archived || report.deleted || report.foldersRemoved) this.logger.info(report, 'recordings sweep');
    return report;
  }

  private async expire(recordingId: string): Promise<boolean> {
    const deleted = await this.db.transaction(async (m) => {
      const row = await this.archive.row(ANONYMOUS, recordingId, m, true);
      // Still being recorded or composed: it goes at the next sweep after it is over.
      if (!deletable(row.status)) return false;
      await this.archive.markDeleted(m, row, null, RETENTION_REASON);
      return true;
    });
    if (deleted) await this.archive.removeFiles(recordingId);
    return deleted;
  }

  private failed(err: unknown, recordingId: string): false {
    this.logger.error({ err, recordingId }, 'recordings sweep: one recording failed');
    return false;
  }
}

export interface SweepReport {
  archived: number;
  deleted: number;
  foldersRemoved: number;
}
