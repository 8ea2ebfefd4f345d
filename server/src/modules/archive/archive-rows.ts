import type { OrgRole, RecordingAccess, RecordingFileDto, RecordingState, RecordingSummaryDto } from '../../contract';
import type { RECORDING_STATES } from '../../contract';
import type { RECORDING_STATUSES, RecordingFileRow } from '../recordings/recording-files';
import { type StoredDublinCore, toDublinCoreDto } from './dublin-core';

/** The recorder's list of states and the contract's are one list: this fails to compile when they part. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const STATES_AGREE: Same<(typeof RECORDING_STATES)[number], (typeof RECORDING_STATUSES)[number]> = true;

/** A recording with what its description and access need, as SELECT_RECORDING reads it. */
export interface ArchiveRow {
  id: string;
  organization_id: string;
  organization_name: string;
  room_id: string;
  room_name: string;
  session_id: string | null;
  meeting_id: string | null;
  meeting_title: string | null;
  meeting_language: string | null;
  event_session_id: string | null;
  event_session_title: string | null;
  event_id: string | null;
  event_title: string | null;
  status: RecordingState;
  started_at: Date;
  ended_at: Date | null;
  title: string | null;
  creator: string | null;
  subject: string[];
  description: string | null;
  language: string | null;
  rights: string | null;
  dc_date: string | null;
  access: RecordingAccess;
  retain_until: string | null;
  archived_at: Date | null;
  deleted_at: Date | null;
  deleted_by: string | null;
  deleted_by_name: string | null;
  deletion_reason: string | null;
  /** The viewer's role in the recording's organisation (null: none, or nobody signed in). */
  viewer_role: OrgRole | null;
}

/**
 * One recording with its organisation, room, meeting and event, and the viewer's role ($1). The event
 * is the event session's, or that of a programme session held in the recording's room while it ran.
 */
export const SELECT_RECORDING = `
  SELECT r.id, r.organization_id, o.name AS organization_name, r.room_id, rm.name AS room_name, r.session_id,
         r.meeting_id, m.title AS meeting_title, m.language AS meeting_language,
         coalesce(r.event_session_id, ps.id) AS event_session_id, coalesce(es.title, ps.title) AS event_session_title,
         e.id AS event_id, e.title AS event_title,
         r.status, r.started_at, r.ended_at, r.title, r.creator, r.subject, r.description, r.language, r.rights, r.dc_date,
         r.access, to_char(r.retain_until, 'YYYY-MM-DD') AS retain_until, r.archived_at,
         r.deleted_at, r.deleted_by, du.display_name AS deleted_by_name, r.deletion_reason,
         vm.role AS viewer_role
    FROM recordings r
    JOIN organizations o ON o.id = r.organization_id
    JOIN rooms rm ON rm.id = r.room_id
    LEFT JOIN meetings m ON m.id = r.meeting_id
    LEFT JOIN event_sessions es ON es.id = r.event_session_id
    LEFT JOIN LATERAL (
      SELECT s.id, s.title, s.event_id FROM event_sessions s
       WHERE r.event_session_id IS NULL AND s.room_id = r.room_id AND s.status = 'scheduled'
         AND s.starts_at < coalesce(r.ended_at, now()) AND s.ends_at > r.started_at
       ORDER BY s.starts_at LIMIT 1
    ) ps ON true
    LEFT JOIN events e ON e.id = coalesce(es.event_id, ps.event_id)
    LEFT JOIN users du ON du.id = r.deleted_by
    LEFT JOIN memberships vm ON vm.organization_id = r.organization_id AND vm.user_id = $1`;

export const storedDublinCore = (r: ArchiveRow): StoredDublinCore => ({
  title: r.title,
  creator: r.creator,
  subject: r.subject ?? [],
  description: r.description,
  language: r.language,
  rights: r.rights,
  date: r.dc_date,
});

export const durationOf = (r: Pick<ArchiveRow, 'started_at' | 'ended_at'>): number | null =>
  r.ended_at ? Math.max(0, Math.round((r.ended_at.getTime() - r.started_at.getTime()) / 1000)) : null;

export function toSummary(r: ArchiveRow): RecordingSummaryDto {
  return {
    id: r.id,
    organizationId: r.organization_id,
    organizationName: r.organization_name,
    roomId: r.room_id,
    roomName: r.room_name,
    meetingId: r.meeting_id,
    meetingTitle: r.meeting_title,
    eventId: r.event_id,
    eventTitle: r.event_title,
    eventSessionId: r.event_session_id,
    status: r.status,
    startedAt: r.started_at.toISOString(),
    endedAt: r.ended_at?.toISOString() ?? null,
    durationSeconds: durationOf(r),
    metadata: toDublinCoreDto(storedDublinCore(r)),
    access: r.access,
    retainUntil: r.retain_until,
    deletion: r.deleted_at
      ? {
          deletedAt: r.deleted_at.toISOString(),
          deletedBy: r.deleted_by,
          deletedByName: r.deleted_by_name,
          reason: r.deletion_reason ?? '',
        }
      : null,
  };
}

export const toFileDto = (f: RecordingFileRow): RecordingFileDto => ({
  id: f.id,
  kind: f.kind,
  path: f.path,
  mediaType: f.media_type,
  bytes: Number(f.bytes),
  sha256: f.sha256,
  language: f.language,
});

/** The HLS master playlist among the files: `…master.m3u8`, else the shallowest playlist. */
export function masterPlaylist<F extends Pick<RecordingFileRow, 'kind' | 'path'>>(files: readonly F[]): F | null {
  const playlists = files.filter((f) => f.kind === 'hls' && /\.m3u8$/i.test(f.path));
  const named = playlists.find((f) => /(^|\/)master\.m3u8$/i.test(f.path));
  if (named) return named;
  const depth = (p: string) => p.split('/').length;
  return [...playlists].sort((a, b) => depth(a.path) - depth(b.path) || a.path.localeCompare(b.path))[0] ?? null;
}

/** The composed MP4 (the composite, else any MP4 the recording has). */
export function composedMp4<F extends Pick<RecordingFileRow, 'kind' | 'path' | 'media_type'>>(files: readonly F[]): F | null {
  const mp4 = (f: F) => f.media_type === 'video/mp4' || /\.mp4$/i.test(f.path);
  return files.find((f) => f.kind === 'composite' && mp4(f)) ?? null;
}

/** Captions files (WebVTT) for download. */
export const captionFiles = <F extends Pick<RecordingFileRow, 'kind' | 'path' | 'media_type'>>(files: readonly F[]): F[] =>
  files.filter((f) => f.kind === 'captions' && (f.media_type.startsWith('text/vtt') || /\.vtt$/i.test(f.path)));
