import { rm, stat } from 'node:fs/promises';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import {
  type ArchivePolicyBody,
  type ArchivePolicyDto,
  type ChapterDto,
  DELETION_REASON_MIN,
  type OrgRole,
  RECORDING_ACCESS_LEVELS,
  RECORDING_STATES,
  type RecordingDto,
  type RecordingListQuery,
  type RecordingMediaDto,
  type RecordingSummaryDto,
  type UpdateRecordingBody,
} from '../../contract';
import { AppError } from '../../common/errors';
import { LOGGER } from '../../common/logging';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { EventsService } from '../events/events.service';
import { AuditLog } from '../governance/audit-log';
import { OrganizationsService } from '../organizations/organizations.service';
import { recordingDir, type RecordingFileRow, resolveInside } from '../recordings/recording-files';
import {
  type ArchiveRow,
  captionFiles,
  composedMp4,
  durationOf,
  masterPlaylist,
  SELECT_RECORDING,
  storedDublinCore,
  toFileDto,
  toSummary,
} from './archive-rows';
import { type BagInput, checkIntegrity } from './bag-package';
import { agendaChapters, programmeChapters } from './chapters';
import { oaiDcXml, toDublinCoreDto } from './dublin-core';
import { mediaTokenKey, readMediaToken, signMediaToken } from './media-token';
import { rewritePlaylist } from './playlist';
import { mayDelete, mayEdit, recordingVerdict, stateAfterDeletion, type Verdict, type Want } from './recording-access';

/** Who is asking: an account's session, or nobody signed in. */
export interface Viewer {
  userId: string | null;
  sessionId: string | null;
}
export const ANONYMOUS: Viewer = { userId: null, sessionId: null };

export type ListScope = { organizationId: string } | { roomId: string } | { eventId: string };

/** How long the links a viewer is handed work: a long film, paused and resumed, still plays. */
const MEDIA_TOKEN_SECONDS = 6 * 3600;
const DEFAULT_LIMIT = 50;

const REFUSAL: Record<Exclude<Verdict, 'ok' | 'tombstone'>, string> = {
  RECORDING_NOT_FOUND: 'Recording not found.',
  FORBIDDEN: 'This recording is for the organisation’s hosts.',
  RECORDING_DELETED: 'This recording was deleted.',
  RECORDING_NOT_READY: 'This recording is not ready yet.',
};

/** A file of a recording as the media routes serve it. */
export interface ServedFile {
  row: ArchiveRow;
  file: RecordingFileRow;
  fullPath: string;
  size: number;
}

/**
 * The archive's reads and writes: lists and records under the one access rule, metadata edits,
 * deletion (files removed, a tombstone kept, a formal meeting's audit log told), organisations'
 * policies, and the media links that carry a viewer's token.
 */
@Injectable()
export class ArchiveService {
  private readonly tokenKey: Buffer;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orgs: OrganizationsService,
    private readonly events: EventsService,
    private readonly audit: AuditLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.tokenKey = mediaTokenKey(config.jwtSecret);
  }

  /* ---------------- reading ---------------- */

  async row(viewer: Viewer, recordingId: string, m: EntityManager = this.db.manager, lock = false): Promise<ArchiveRow> {
    const [row]: ArchiveRow[] = await m.query(`${SELECT_RECORDING} WHERE r.id = $2${lock ? ' FOR UPDATE OF r' : ''}`, [
      viewer.userId,
      recordingId,
    ]);
    if (!row) throw new AppError('RECORDING_NOT_FOUND', REFUSAL.RECORDING_NOT_FOUND);
    return row;
  }

  /** The verdict of the access rule, or its refusal thrown. */
  allow(row: Pick<ArchiveRow, 'access' | 'status' | 'viewer_role'>, want: Want): 'ok' | 'tombstone' {
    const v = recordingVerdict(row, row.viewer_role, want);
    if (v === 'ok' || v === 'tombstone') return v;
    throw new AppError(v, REFUSAL[v]);
  }

  async list(viewer: Viewer, scope: ListScope, q: RecordingListQuery): Promise<RecordingSummaryDto[]> {
    const { organizationId, scoped } = await this.scopeOf(viewer, scope);
    const role = viewer.userId ? await this.orgs.roleIn(viewer.userId, organizationId) : null;
    // The rule decides per (access, state); the query keeps exactly the pairs it lets the viewer see.
    const visible = RECORDING_ACCESS_LEVELS.flatMap((access) =>
      RECORDING_STATES.filter((status) => ['ok', 'tombstone'].includes(recordingVerdict({ access, status }, role, 'record'))).map(
        (status) => `${access}:${status}`,
      ),
    );
    const params: unknown[] = [viewer.userId, organizationId, visible];
    const where = [`r.organization_id = $2`, `(r.access || ':' || r.status) = ANY($3::text[])`];
    /** A condition on one more parameter, written with its placeholder. */
    const add = (condition: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (scoped) add(scoped.condition, scoped.value);
    if (q.q)
      add(
        (p) => `(r.title ILIKE ${p} OR r.description ILIKE ${p} OR array_to_string(r.subject, ' ') ILIKE ${p})`,
        `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
      );
    // A language and its regional forms: `zh` finds zh and zh-Hans.
    if (q.language) add((p) => `(lower(r.language) = lower(${p}) OR lower(r.language) LIKE lower(${p}) || '-%')`, q.language);
    if (q.access) add((p) => `r.access = ${p}`, q.access);
    if (q.status) add((p) => `r.status = ${p}`, q.status);
    if (q.from) add((p) => `r.started_at >= ${p}::date`, q.from);
    if (q.to) add((p) => `r.started_at < ${p}::date + 1`, q.to);
    if (q.before) add((p) => `r.started_at < ${p}::timestamptz`, q.before);
    params.push(q.limit ?? DEFAULT_LIMIT);
    const rows: ArchiveRow[] = await this.db.query(
      `${SELECT_RECORDING} WHERE ${where.join(' AND ')} ORDER BY r.started_at DESC, r.id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toSummary);
  }

  /** The organisation a list belongs to, refused as its scope would be. */
  private async scopeOf(
    viewer: Viewer,
    scope: ListScope,
  ): Promise<{ organizationId: string; scoped?: { condition: (p: string) => string; value: string } }> {
    if ('organizationId' in scope) {
      const [org] = await this.db.query(`SELECT id FROM organizations WHERE id = $1`, [scope.organizationId]);
      if (!org) throw new AppError('NOT_FOUND', 'Organisation not found.');
      return { organizationId: scope.organizationId };
    }
    if ('roomId' in scope) {
      const [room]: { organization_id: string }[] = await this.db.query(`SELECT organization_id FROM rooms WHERE id = $1`, [scope.roomId]);
      if (!room) throw new AppError('NOT_FOUND', 'Room not found.');
      return { organizationId: room.organization_id, scoped: { condition: (p) => `r.room_id = ${p}`, value: scope.roomId } };
    }
    const { event } = await this.events.visible(viewer.userId, scope.eventId);
    return { organizationId: event.organization_id, scoped: { condition: (p) => `e.id = ${p}`, value: scope.eventId } };
  }

  async get(viewer: Viewer, recordingId: string): Promise<RecordingDto> {
    const row = await this.row(viewer, recordingId);
    this.allow(row, 'record');
    const files = await this.files(row.id);
    const playable = recordingVerdict(row, row.viewer_role, 'media') === 'ok';
    const token = playable ? this.mediaQuery(viewer, row.id) : null;
    return {
      ...toSummary(row),
      files: files.map(toFileDto),
      chapters: await this.chapters(row),
      media: token ? this.media(row.id, files, token.query) : null,
      mediaExpiresAt: token?.expiresAt ?? null,
      canEdit: mayEdit(row.status, row.viewer_role),
      canDelete: mayDelete(row.status, row.viewer_role),
    };
  }

  async files(recordingId: string, m: EntityManager = this.db.manager): Promise<RecordingFileRow[]> {
    return m.query(`SELECT * FROM recording_files WHERE recording_id = $1 ORDER BY path`, [recordingId]);
  }

  private media(recordingId: string, files: RecordingFileRow[], query: string): RecordingMediaDto {
    const url = (f: RecordingFileRow | null, download = false) =>
      f ? `${this.fileUrl(recordingId, f.id)}${query}${download ? `${query ? '&' : '?'}download=1` : ''}` : null;
    return {
      hls: url(masterPlaylist(files)),
      mp4: url(composedMp4(files)),
      captions: captionFiles(files).map((f) => ({ language: f.language, path: f.path, url: url(f, true)! })),
      package: `/api/recordings/${recordingId}/package${query}`,
    };
  }

  fileUrl = (recordingId: string, fileId: string): string => `/api/recordings/${recordingId}/files/${fileId}`;

  /** `?t=<token>` for a signed-in viewer (links cannot send the Authorization header), nothing for anyone else. */
  mediaQuery(viewer: Viewer, recordingId: string): { query: string; expiresAt: string | null } {
    if (!viewer.userId || !viewer.sessionId) return { query: '', expiresAt: null };
    const expiresAt = Math.floor(Date.now() / 1000) + MEDIA_TOKEN_SECONDS;
    const token = signMediaToken(this.tokenKey, { recordingId, userId: viewer.userId, sessionId: viewer.sessionId, expiresAt });
    return { query: `?t=${token}`, expiresAt: new Date(expiresAt * 1000).toISOString() };
  }

  /**
   * The viewer a media request speaks for: the media token's (which must be for this recording and of
   * a session still open), else the signed-in caller's, else nobody.
   */
  async mediaViewer(caller: Viewer, recordingId: string, token: string | undefined): Promise<Viewer> {
    if (token === undefined) return caller;
    const grant = readMediaToken(this.tokenKey, token, Math.floor(Date.now() / 1000));
    if (!grant || grant.recordingId !== recordingId)
      throw new AppError('MEDIA_TOKEN_INVALID', 'This link has expired or is not for this recording. Open the recording’s page again.');
    if (grant.userId && grant.sessionId) {
      const [open] = await this.db.query(`SELECT 1 FROM auth_sessions WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`, [
        grant.sessionId,
        grant.userId,
      ]);
      if (!open) throw new AppError('MEDIA_TOKEN_INVALID', 'The session this link was made for has ended. Sign in again.');
    }
    return { userId: grant.userId, sessionId: grant.sessionId };
  }

  /** A registered file of a recording the viewer may play, found on disk. */
  async servedFile(viewer: Viewer, recordingId: string, fileId: string): Promise<ServedFile> {
    const row = await this.row(viewer, recordingId);
    this.allow(row, 'media');
    const [file]: RecordingFileRow[] = await this.db.query(`SELECT * FROM recording_files WHERE id = $1 AND recording_id = $2`, [
      fileId,
      recordingId,
    ]);
    if (!file) throw new AppError('NOT_FOUND', 'This recording has no such file.');
    const fullPath = resolveInside(recordingDir(this.config.dataDir, recordingId), file.path);
    const info = await stat(fullPath).catch(() => null);
    if (!info?.isFile()) {
      this.logger.error({ recordingId, path: file.path }, 'a registered recording file is missing on disk');
      throw new AppError('RECORDING_FILE_MISSING', 'This file of the recording is missing from the archive.');
    }
    return { row, file, fullPath, size: info.size };
  }

  /** A playlist with its URIs pointing at the served files, with the viewer's token. */
  async servedPlaylist(viewer: Viewer, served: ServedFile, text: string): Promise<string> {
    const byPath = new Map((await this.files(served.row.id)).map((f) => [f.path, f.id]));
    const { query } = this.mediaQuery(viewer, served.row.id);
    return rewritePlaylist(text, served.file.path, (p) => {
      const id = byPath.get(p);
      return id ? `${this.fileUrl(served.row.id, id)}${query}` : null;
    });
  }

  /** The Dublin Core record as oai_dc XML, for whoever may see the recording. */
  async dublinCore(viewer: Viewer, recordingId: string): Promise<string> {
    const row = await this.row(viewer, recordingId);
    this.allow(row, 'record');
    return this.oaiDc(row, await this.files(row.id));
  }

  oaiDc(row: ArchiveRow, files: readonly RecordingFileRow[]): string {
    const page = (p: string) => `${this.config.publicUrl}${p}`;
    return oaiDcXml({
      dc: toDublinCoreDto(storedDublinCore(row)),
      identifiers: [`urn:uuid:${row.id}`, page(`/recordings/${row.id}`)],
      publisher: row.organization_name,
      formats: files
        .filter((f) => f.kind === 'composite' || f.kind === 'hls' || f.kind === 'captions')
        .map((f) => f.media_type.split(';')[0]!.trim()),
      relations: [
        ...(row.meeting_id ? [page(`/meetings/${row.meeting_id}`)] : []),
        ...(row.event_id ? [page(`/events/${row.event_id}`)] : []),
      ],
    });
  }

  /* ---------------- preservation package ---------------- */

  /**
   * What the package of a recording holds, after every file was hashed again against its stored
   * SHA-256 (RECORDING_INTEGRITY_FAILED, naming the file, when one no longer matches).
   */
  async bagInput(viewer: Viewer, recordingId: string): Promise<BagInput> {
    const row = await this.row(viewer, recordingId);
    this.allow(row, 'media');
    const files = await this.files(row.id);
    const dir = recordingDir(this.config.dataDir, row.id);
    await checkIntegrity(dir, files);
    const summary = toSummary(row);
    const record = {
      format: 'quorum-recording/1',
      recording: summary,
      files: files.map(toFileDto),
      chapters: await this.chapters(row),
      page: `${this.config.publicUrl}/recordings/${row.id}`,
    };
    return {
      bagName: `recording-${row.id}`,
      dir,
      files,
      generated: [
        { path: 'metadata/dublin-core.xml', content: Buffer.from(this.oaiDc(row, files), 'utf8') },
        { path: 'metadata/recording.json', content: Buffer.from(`${JSON.stringify(record, null, 2)}\n`, 'utf8') },
      ],
      info: [
        ['Source-Organization', row.organization_name],
        ['External-Identifier', `urn:uuid:${row.id}`],
        ['External-Description', summary.metadata.title || row.room_name],
        ['Internal-Sender-Identifier', record.page],
        ['Bagging-Date', new Date().toISOString().slice(0, 10)],
        ['Bag-Software-Agent', 'Quorum'],
      ],
    };
  }

  /* ---------------- chapters ---------------- */

  async chapters(row: ArchiveRow, m: EntityManager = this.db.manager): Promise<ChapterDto[]> {
    const durationSeconds = durationOf(row);
    if (durationSeconds === null || row.status === 'deleted') return [];
    const span = { startedAt: row.started_at, durationSeconds };
    if (row.meeting_id) {
      const items: { id: string; position: number; title: string }[] = await m.query(
        `SELECT id, position, title FROM agenda_items WHERE meeting_id = $1 ORDER BY position`,
        [row.meeting_id],
      );
      // Business on an item: its motions moved or moved on, and ballots on them, as the audit log dates them.
      const business: { agendaItemId: string; at: Date }[] = await m.query(
        `SELECT coalesce(mo.agenda_item_id, bm.agenda_item_id) AS "agendaItemId", a.at
           FROM audit_log a
           LEFT JOIN motions mo ON mo.id::text = a.payload->>'motionId' AND a.kind LIKE 'motion.%'
           LEFT JOIN ballots b ON b.id::text = a.payload->>'ballotId' AND a.kind LIKE 'ballot.%'
           LEFT JOIN motions bm ON bm.id = b.motion_id
          WHERE a.meeting_id = $1 AND coalesce(mo.agenda_item_id, bm.agenda_item_id) IS NOT NULL`,
        [row.meeting_id],
      );
      const chapters = agendaChapters(items, business, span);
      if (chapters.length || !row.event_id) return chapters;
    }
    if (row.event_id) {
      const sessions: { id: string; title: string; startsAt: Date; endsAt: Date }[] = await m.query(
        `SELECT id, title, starts_at AS "startsAt", ends_at AS "endsAt" FROM event_sessions
          WHERE event_id = $1 AND status = 'scheduled' AND room_id = $2 ORDER BY starts_at`,
        [row.event_id, row.room_id],
      );
      return programmeChapters(sessions, span);
    }
    return [];
  }

  /* ---------------- editing ---------------- */

  async update(viewer: Viewer, recordingId: string, body: UpdateRecordingBody): Promise<RecordingDto> {
    await this.db.transaction(async (m) => {
      const row = await this.row(viewer, recordingId, m, true);
      this.allow(row, 'record');
      if (!mayEdit(row.status, row.viewer_role)) {
        if (row.status === 'deleted') throw new AppError('RECORDING_DELETED', REFUSAL.RECORDING_DELETED);
        throw new AppError('FORBIDDEN', 'Only the organisation’s admins and the room’s hosts edit a recording.');
      }
      if (body.retainUntil && body.retainUntil < new Date().toISOString().slice(0, 10)) {
        throw new AppError('INVALID_RETENTION', 'A recording is kept until today or a later day.', {
          min: new Date().toISOString().slice(0, 10),
        });
      }
      const columns: [string, unknown][] = [
        ['title', body.title],
        ['creator', body.creator],
        ['subject', body.subject],
        ['description', body.description],
        ['language', body.language],
        ['rights', body.rights],
        ['dc_date', body.date],
        ['access', body.access],
        ['retain_until', body.retainUntil],
      ];
      const set = columns.filter(([, v]) => v !== undefined);
      await m.query(
        `UPDATE recordings SET ${set.map(([c], i) => `${c} = $${i + 2}`).join(', ')}, metadata_updated_at = now(), metadata_updated_by = $${set.length + 2} WHERE id = $1`,
        [row.id, ...set.map(([, v]) => v), viewer.userId],
      );
    });
    return this.get(viewer, recordingId);
  }

  /** Deletion by a person: the table's right, a reason, a recording that is over. */
  async remove(viewer: Viewer, recordingId: string, reason: string | undefined): Promise<RecordingDto> {
    const why = (reason ?? '').trim();
    await this.db.transaction(async (m) => {
      const row = await this.row(viewer, recordingId, m, true);
      if (row.status === 'deleted') throw new AppError('RECORDING_DELETED', REFUSAL.RECORDING_DELETED);
      this.allow(row, 'record');
      if (!mayDelete(row.status, row.viewer_role)) {
        if (stateAfterDeletion(row.status) === null)
          throw new AppError(
            'RECORDING_NOT_READY',
            'A recording is deleted once it is over (ready or failed), not while it is recorded or composed.',
          );
        throw new AppError('FORBIDDEN', 'Only the organisation’s owners and admins delete recordings.');
      }
      if (why.length < DELETION_REASON_MIN)
        throw new AppError('DELETION_REASON_REQUIRED', 'Say why the recording is deleted: the reason stays in its record.', {
          min: DELETION_REASON_MIN,
        });
      await this.markDeleted(m, row, viewer.userId, why);
    });
    await this.removeFiles(recordingId);
    return this.get(viewer, recordingId);
  }

  /**
   * The tombstone, in the caller's transaction holding the recording's row: status, who, when, why;
   * and for a formal meeting, one audit entry naming the files (with their hashes) that are gone.
   */
  async markDeleted(
    m: EntityManager,
    row: Pick<ArchiveRow, 'id' | 'status' | 'meeting_id'>,
    by: string | null,
    reason: string,
  ): Promise<void> {
    const next = stateAfterDeletion(row.status);
    if (!next) throw new AppError('RECORDING_NOT_READY', 'A recording is deleted once it is over (ready or failed).');
    await m.query(`UPDATE recordings SET status = $2, deleted_at = now(), deleted_by = $3, deletion_reason = $4 WHERE id = $1`, [
      row.id,
      next,
      by,
      reason,
    ]);
    if (row.meeting_id) {
      const files = await this.files(row.id, m);
      await this.audit.append(m, row.meeting_id, [
        {
          kind: 'recording.deleted',
          payload: { recordingId: row.id, by: by ?? 'retention', reason, files: files.map((f) => ({ path: f.path, sha256: f.sha256 })) },
        },
      ]);
    }
  }

  /** Removes a deleted recording's folder; a failure is logged and retried by the sweep. */
  async removeFiles(recordingId: string): Promise<boolean> {
    try {
      await rm(recordingDir(this.config.dataDir, recordingId), { recursive: true, force: true });
      return true;
    } catch (err) {
      this.logger.error({ err, recordingId }, 'could not remove a deleted recording’s files');
      return false;
    }
  }

  /* ---------------- policy ---------------- */

  async policy(userId: string, organizationId: string): Promise<ArchivePolicyDto> {
    await this.orgs.authorize(userId, organizationId, 'recordings.manage');
    return this.policyOf(organizationId);
  }

  async policyOf(organizationId: string, m: EntityManager = this.db.manager): Promise<ArchivePolicyDto> {
    const [p]: { default_access: ArchivePolicyDto['defaultAccess']; retention_days: number | null }[] = await m.query(
      `SELECT default_access, retention_days FROM archive_policies WHERE organization_id = $1`,
      [organizationId],
    );
    return { organizationId, defaultAccess: p?.default_access ?? 'hosts', retentionDays: p?.retention_days ?? null };
  }

  async setPolicy(userId: string, organizationId: string, body: ArchivePolicyBody): Promise<ArchivePolicyDto> {
    await this.orgs.authorize(userId, organizationId, 'recordings.manage');
    await this.db.query(
      `INSERT INTO archive_policies (organization_id, default_access, retention_days, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (organization_id) DO UPDATE SET default_access = $2, retention_days = $3, updated_by = $4, updated_at = now()`,
      [organizationId, body.defaultAccess, body.retentionDays, userId],
    );
    return this.policyOf(organizationId);
  }

  /** The caller's role in an organisation (null when signed out). */
  roleIn(viewer: Viewer, organizationId: string): Promise<OrgRole | null> {
    return viewer.userId ? this.orgs.roleIn(viewer.userId, organizationId) : Promise.resolve(null);
  }
}
