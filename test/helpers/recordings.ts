import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import {
  recordingDir,
  type RecordingFileKind,
  type RecordingFileRow,
  registerFile,
} from '../../server/src/modules/recordings/recording-files';

/**
 * A recording as the recorder leaves it, made with FFmpeg for tests: a composed MP4 (test pattern,
 * a floor channel at 440 Hz and a Chinese channel at 660 Hz, each its own audio track), an HLS
 * rendition of it (one video stream, one audio rendition per language channel, WebVTT subtitles in
 * English and Chinese), and the captions as WebVTT files. The files go under
 * DATA_DIR/recordings/<id>, the `recordings` row is inserted and every file registered with
 * `registerFile` (so its SHA-256 is stored), exactly as the recorder does before it says
 * `recording.ready`.
 *
 * A server running in another process learns that the recording is ready at its next archive sweep:
 * start it with `archiveEnv(dataDir)` (RECORDING_SWEEP_SECONDS=1) and `waitArchived`. Code in the
 * server's own process emits `recording.ready` instead.
 */

const run = promisify(execFile);

/** Length of the fixture's media, seconds. */
export const FIXTURE_SECONDS = 12;
/** The tones of the two audio channels: what a listener can tell them apart by. */
export const FLOOR_HZ = 440;
export const ZH_HZ = 660;

export interface FixtureFile {
  path: string;
  kind: RecordingFileKind;
  mediaType: string;
  language: string | null;
}

const MEDIA_TYPES: [RegExp, string][] = [
  [/\.m3u8$/, 'application/vnd.apple.mpegurl'],
  [/\.m4s$/, 'video/iso.segment'],
  [/\.mp4$/, 'video/mp4'],
  [/\.vtt$/, 'text/vtt'],
];

const vtt = (lines: string[]) =>
  `WEBVTT\n\n${lines.map((text, i) => `${i + 1}\n00:00:${String(i * 2).padStart(2, '0')}.000 --> 00:00:${String(i * 2 + 2).padStart(2, '0')}.000\n${text}\n`).join('\n')}`;
const CAPTIONS = {
  en: vtt([
    'Welcome to the assembly.',
    'The chair opens the meeting.',
    'Item one: the budget.',
    'Questions from the floor.',
    'Item two: the board.',
    'Thank you all.',
  ]),
  zh: vtt(['欢迎参加大会。', '主席宣布会议开始。', '第一项：预算。', '会场提问。', '第二项：理事会。', '谢谢大家。']),
};

let made: Promise<{ dir: string; files: FixtureFile[] }> | null = null;

/** The fixture's files, made once per test process (about a second of FFmpeg) in a temporary folder. */
export function recordingFixture(): Promise<{ dir: string; files: FixtureFile[] }> {
  made ??= (async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'quorum-recording-fixture-'));
    const ff = (args: string[]) => run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { cwd: dir });
    await ff([
      ...['-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=15`],
      ...['-f', 'lavfi', '-i', `sine=frequency=${FLOOR_HZ}:sample_rate=48000`],
      ...['-f', 'lavfi', '-i', `sine=frequency=${ZH_HZ}:sample_rate=48000`],
      ...['-t', String(FIXTURE_SECONDS), '-map', '0:v', '-map', '1:a', '-map', '2:a'],
      // A key frame every 2 s, so the HLS segments are 2 s long.
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-keyint_min', '30', '-sc_threshold', '0', '-pix_fmt', 'yuv420p'],
      ...['-c:a', 'aac', '-b:a', '64k', '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=chi'],
      ...['-movflags', '+faststart', 'composite.mp4'],
    ]);
    await mkdir(path.join(dir, 'hls'));
    await ff([
      ...['-i', 'composite.mp4', '-map', '0:v', '-map', '0:a:0', '-map', '0:a:1', '-c', 'copy'],
      ...['-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4'],
      ...['-hls_segment_filename', 'hls/%v/seg%03d.m4s', '-hls_fmp4_init_filename', 'init.mp4', '-master_pl_name', 'master.m3u8'],
      ...[
        '-var_stream_map',
        'v:0,agroup:aud,name:video a:0,agroup:aud,language:en,name:floor,default:yes a:1,agroup:aud,language:zh,name:zh',
      ],
      'hls/%v/index.m3u8',
    ]);
    // Subtitles: one WebVTT file per language, each as a one-segment playlist; named renditions.
    await mkdir(path.join(dir, 'hls', 'subs'));
    await mkdir(path.join(dir, 'captions'));
    for (const [lang, text] of Object.entries(CAPTIONS)) {
      await writeFile(path.join(dir, 'captions', `${lang}.vtt`), text);
      await writeFile(path.join(dir, 'hls', 'subs', `${lang}.vtt`), text);
      await writeFile(
        path.join(dir, 'hls', 'subs', `${lang}.m3u8`),
        `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:${FIXTURE_SECONDS}\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:${FIXTURE_SECONDS}.000,\n${lang}.vtt\n#EXT-X-ENDLIST\n`,
      );
    }
    const masterPath = path.join(dir, 'hls', 'master.m3u8');
    const master = (await readFile(masterPath, 'utf8'))
      .replace(/NAME="audio_1"/, 'NAME="Floor"')
      .replace(/NAME="audio_2"/, 'NAME="中文"')
      .replace(/(#EXT-X-STREAM-INF:[^\n]*)/, '$1,SUBTITLES="subs"')
      .replace(
        '#EXT-X-STREAM-INF',
        '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",DEFAULT=NO,AUTOSELECT=YES,LANGUAGE="en",URI="subs/en.m3u8"\n' +
          '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="中文",DEFAULT=NO,AUTOSELECT=YES,LANGUAGE="zh",URI="subs/zh.m3u8"\n#EXT-X-STREAM-INF',
      );
    await writeFile(masterPath, master);

    const files: FixtureFile[] = [];
    const walk = async (rel: string) => {
      for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
        const p = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(p);
        else {
          const mediaType = MEDIA_TYPES.find(([re]) => re.test(p))?.[1] ?? 'application/octet-stream';
          const kind: RecordingFileKind = p === 'composite.mp4' ? 'composite' : p.startsWith('captions/') ? 'captions' : 'hls';
          const language = /(^|\/)(zh)(\/|\.)/.test(p) ? 'zh' : /(^|\/)(floor|en)(\/|\.)/.test(p) ? 'en' : null;
          files.push({ path: p, kind, mediaType, language });
        }
      }
    };
    await walk('');
    return { dir, files: files.sort((a, b) => a.path.localeCompare(b.path)) };
  })();
  return made;
}

/** Environment for a test server whose archive sweeps every second, with its own DATA_DIR. */
export const archiveEnv = (dataDir: string): Record<string, string> => ({ DATA_DIR: dataDir, RECORDING_SWEEP_SECONDS: '1' });

/** A fresh DATA_DIR for a test server. */
export const tempDataDir = (): Promise<string> => mkdtemp(path.join(tmpdir(), 'quorum-data-'));

export interface SeedOptions {
  organizationId: string;
  roomId: string;
  meetingId?: string | null;
  eventSessionId?: string | null;
  startedBy?: string | null;
  startedAt?: Date;
  /** Default: startedAt + FIXTURE_SECONDS. */
  endedAt?: Date | null;
  /** Default 'ready'; 'recording' leaves a recording still in progress (no files). */
  status?: 'recording' | 'processing' | 'ready' | 'failed';
}

/** Runs `fn` with a connection to the test server's database. */
export async function withDatabase<T>(databaseUrl: string, fn: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

/**
 * A recording of `roomId` as the recorder leaves it: the row, the fixture's files under
 * DATA_DIR/recordings/<id>, each registered (hashed) with `registerFile`.
 */
export async function seedRecording(
  server: { databaseUrl: string; dataDir: string },
  o: SeedOptions,
): Promise<{ id: string; files: RecordingFileRow[] }> {
  const id = randomUUID();
  const startedAt = o.startedAt ?? new Date(Date.now() - (FIXTURE_SECONDS + 60) * 1000);
  const status = o.status ?? 'ready';
  const endedAt =
    o.endedAt !== undefined ? o.endedAt : status === 'recording' ? null : new Date(startedAt.getTime() + FIXTURE_SECONDS * 1000);
  return withDatabase(server.databaseUrl, async (db) => {
    const sql = { query: async (text: string, params?: unknown[]) => (await db.query(text, params as unknown[])).rows };
    // Written as the recorder does: the row while recording, the files, then the final state. The
    // recorder is a node elsewhere that keeps vouching for its recording (alive_at ahead), so the
    // server under test never takes the row for one left by a stopped process.
    await db.query(
      `INSERT INTO recordings (id, organization_id, room_id, meeting_id, event_session_id, status, started_by, started_at, ended_at,
                               alive_at, recorder_node)
       VALUES ($1, $2, $3, $4, $5, 'recording', $6, $7, NULL, now() + interval '1 day', 'seed-recorder')`,
      [id, o.organizationId, o.roomId, o.meetingId ?? null, o.eventSessionId ?? null, o.startedBy ?? null, startedAt],
    );
    const files: RecordingFileRow[] = [];
    if (status !== 'recording') {
      const fixture = await recordingFixture();
      const dir = recordingDir(server.dataDir, id);
      await mkdir(path.dirname(dir), { recursive: true });
      // Copied beside, then moved into place: the folder appears whole.
      const staging = `${dir}.partial`;
      await cp(fixture.dir, staging, { recursive: true });
      await rename(staging, dir);
      for (const f of fixture.files)
        files.push(
          await registerFile(sql, server.dataDir, {
            recordingId: id,
            path: f.path,
            kind: f.kind,
            mediaType: f.mediaType,
            language: f.language,
          }),
        );
    }
    await db.query(`UPDATE recordings SET status = $2, ended_at = $3 WHERE id = $1`, [id, status, endedAt]);
    return { id, files };
  });
}

/** Waits until the server's archive has taken the recording in (defaults filled, audit entry written). */
export async function waitArchived(databaseUrl: string, recordingId: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await withDatabase(databaseUrl, async (db) => {
    for (;;) {
      const { rows } = await db.query(`SELECT archived_at FROM recordings WHERE id = $1`, [recordingId]);
      if (rows[0]?.archived_at) return;
      if (Date.now() > deadline) throw new Error(`recording ${recordingId} was not archived within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });
}

/** Removes a test server's DATA_DIR. */
export const removeDataDir = (dir: string): Promise<void> =>
  existsSync(dir) ? rm(dir, { recursive: true, force: true }) : Promise.resolve();
