import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { CaptionsService } from '../captions/captions.service';
import type { CaptionsProvider, CaptionTrack } from './composer';

/**
 * A recording's captions: the live captions of its room session (typed and automatic) in each
 * language that has any, cut to the recording's span and timed from its start. The composer copies
 * them into the recording and its HLS rendition; the files written here are only its input.
 */
export function recordingCaptions(db: DataSource, captions: CaptionsService): CaptionsProvider {
  return async (recordingId: string): Promise<CaptionTrack[]> => {
    const [row]: { session_id: string | null; from_ms: number; to_ms: number | null }[] = await db.query(
      `SELECT r.session_id,
              (extract(epoch FROM r.started_at - s.started_at) * 1000)::float8 AS from_ms,
              (extract(epoch FROM r.ended_at - s.started_at) * 1000)::float8 AS to_ms
         FROM recordings r JOIN room_sessions s ON s.id = r.session_id WHERE r.id = $1`,
      [recordingId],
    );
    if (!row?.session_id) return [];
    const languages = await captions.languages(row.session_id);
    if (!languages.length) return [];
    const dir = path.join(tmpdir(), `quorum-captions-${recordingId}`);
    await mkdir(dir, { recursive: true });
    const tracks: CaptionTrack[] = [];
    for (const { language } of languages) {
      const vttPath = path.join(dir, `${language}.vtt`);
      await writeFile(vttPath, await captions.webVtt(row.session_id, language, { fromMs: Math.max(0, row.from_ms), toMs: row.to_ms }));
      tracks.push({ language, vttPath });
    }
    return tracks;
  };
}
