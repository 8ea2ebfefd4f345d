import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { RecordingStatus } from '../../contract/recordings';

/** The states of a recording live in the contract (the client shows them); see recording-state.ts for the moves. */
export { RECORDING_STATUSES, type RecordingStatus } from '../../contract/recordings';

/** What a stored file is: one recorded track, the composed MP4, an HLS playlist or segment, captions. */
export const RECORDING_FILE_KINDS = ['track', 'composite', 'hls', 'captions', 'poster', 'metadata'] as const;
export type RecordingFileKind = (typeof RECORDING_FILE_KINDS)[number];

export interface RecordingRow {
  id: string;
  organization_id: string;
  room_id: string;
  session_id: string | null;
  meeting_id: string | null;
  event_session_id: string | null;
  status: RecordingStatus;
  started_by: string | null;
  started_at: Date;
  ended_at: Date | null;
  created_at: Date;
}

export interface RecordingFileRow {
  id: string;
  recording_id: string;
  kind: RecordingFileKind;
  /** Relative to the recording's folder, `/` separated, never leaving it. */
  path: string;
  media_type: string;
  bytes: string;
  sha256: string;
  language: string | null;
  created_at: Date;
}

/** The folder of one recording's files: DATA_DIR/recordings/<id>. */
export function recordingDir(dataDir: string, recordingId: string): string {
  if (!/^[0-9a-f-]{36}$/i.test(recordingId)) throw new RangeError(`not a recording id: ${recordingId}`);
  return path.resolve(dataDir, 'recordings', recordingId);
}

/** `relative` inside `dir`, or a RangeError: a stored path never reaches outside its recording. */
export function resolveInside(dir: string, relative: string): string {
  const full = path.resolve(dir, relative);
  if (path.isAbsolute(relative) || relative.split(/[\\/]/).includes('..') || !full.startsWith(dir + path.sep)) {
    throw new RangeError(`path leaves the recording folder: ${relative}`);
  }
  return full;
}

/** SHA-256 (hex) and size of a file, streamed. */
export async function hashFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return { sha256: hash.digest('hex'), bytes: (await stat(file)).size };
}

/** The slice of a TypeORM DataSource or QueryRunner that runs SQL. */
export interface Sql {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Hashes a file written under the recording's folder and records it: every file a recording is made
 * of is known by path, size and SHA-256 from the moment it is complete. Writing the same path again
 * (a composition redone) replaces the row.
 */
export async function registerFile(
  db: Sql,
  dataDir: string,
  file: { recordingId: string; path: string; kind: RecordingFileKind; mediaType: string; language?: string | null },
): Promise<RecordingFileRow> {
  const full = resolveInside(recordingDir(dataDir, file.recordingId), file.path);
  const { sha256, bytes } = await hashFile(full);
  const rows = (await db.query(
    `INSERT INTO recording_files (recording_id, kind, path, media_type, bytes, sha256, language)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (recording_id, path) DO UPDATE SET kind = EXCLUDED.kind, media_type = EXCLUDED.media_type,
       bytes = EXCLUDED.bytes, sha256 = EXCLUDED.sha256, language = EXCLUDED.language, created_at = now()
     RETURNING *`,
    [file.recordingId, file.kind, file.path.split(path.sep).join('/'), file.mediaType, bytes, sha256, file.language ?? null],
  )) as RecordingFileRow[];
  return rows[0]!;
}
