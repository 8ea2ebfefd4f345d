import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import type { RecordingFileKind } from './recording-files';
import { channelLanguageTag, compositionArgs, compositionPlan, type ComposeOptions, DEFAULT_COMPOSE, finishMaster, hlsArgs, type HlsRendition, subtitlePlaylist, vttForHls } from './ffmpeg-args';
import { type SenderSync, syncToSenders } from './sender-sync';
import { segmentDrift, type Timeline } from './timeline';

const run = promisify(execFile);

/** Captions made for a recording (by the captions module): one WebVTT file per language, cue times from the recording's start. */
export interface CaptionTrack {
  language: string;
  vttPath: string;
}

/** Where captions come from, when anything makes them; called once per composition. */
export type CaptionsProvider = (recordingId: string) => Promise<CaptionTrack[]>;

export interface ComposedFile {
  path: string;
  kind: RecordingFileKind;
  mediaType: string;
  language?: string | null;
}

export interface CompositionReport {
  duration: number;
  /** Seconds the composition took, and how fast that was against the recording's length. */
  seconds: number;
  speed: number;
  inputs: number;
  channels: string[];
  captions: string[];
  /** Per track and segment: how far its anchors strayed from one another, and the trend (see timeline.ts). */
  drift: { track: string; segment: string; anchors: number; spreadMs: number; ppm: number }[];
  /**
   * How far each sender's own clock (its RTCP sender reports) would move its tracks from where their
   * arrival places them. Reported only: placement stays by arrival (see sender-sync.ts).
   */
  senderSync: SenderSync['peers'];
}

export interface ComposeTools {
  ffmpeg: string;
  ffprobe: string;
  /** Run the heavy step at low priority (`nice -n 10`), so that live rooms keep the CPU. */
  nice: boolean;
  threads: number;
}

const MEDIA_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.vtt': 'text/vtt',
  '.mp4': 'video/mp4',
  '.jpg': 'image/jpeg',
  '.json': 'application/json',
};

/** A language's name in itself, for the rendition's NAME (what a player's menu shows). */
function languageName(tag: string): string {
  if (tag === 'sgn') return 'Sign language';
  try {
    const name = new Intl.DisplayNames([tag], { type: 'language' }).of(tag);
    return name && name !== tag ? name.charAt(0).toLocaleUpperCase(tag) + name.slice(1) : tag;
  } catch {
    return tag;
  }
}

/** The length of a media file in seconds: from its header, or for a file cut short (no duration written), from its last packet. */
export async function probeDuration(file: string, ffprobe = 'ffprobe'): Promise<number> {
  try {
    const { stdout } = await run(ffprobe, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
    const header = Number(stdout.trim());
    if (Number.isFinite(header) && header > 0) return header;
    const packets = await run(ffprobe, ['-v', 'error', '-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', file], { maxBuffer: 256 * 1024 * 1024 });
    let end = 0;
    for (const line of packets.stdout.split('\n')) {
      const [pts, dur] = line.split(',').map(Number);
      if (Number.isFinite(pts)) end = Math.max(end, pts! + (Number.isFinite(dur) ? dur! : 0));
    }
    return end;
  } catch {
    return 0;
  }
}

function runFfmpeg(tools: ComposeTools, args: string[], log: Logger): Promise<void> {
  const [cmd, ...rest] = tools.nice ? ['nice', '-n', '10', tools.ffmpeg, ...args] : [tools.ffmpeg, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, rest, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) return resolve();
      log.error({ code, signal, stderr }, 'ffmpeg failed');
      reject(new Error(`ffmpeg exited with ${code ?? signal}: ${stderr.trim().split('\n').at(-1) ?? ''}`.slice(0, 300)));
    });
  });
}

async function filesUnder(dir: string, root: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(full, root)));
    else out.push(path.relative(root, full).split(path.sep).join('/'));
  }
  return out.sort();
}

/**
 * Composes a stopped recording from its tracks: `composite.mp4` (H.264 + AAC: the layout of cameras
 * and screen shares, the floor's sound mixed), an HLS rendition in `hls/` (the same video, an audio
 * rendition per language — the floor and each interpretation channel — and WebVTT subtitles when
 * captions exist) and a poster frame. Returns every file of the recording to be registered.
 */
export async function compose(
  dir: string,
  timeline: Timeline,
  opts: { tools: ComposeTools; floorLanguage: string; captions: CaptionTrack[]; log: Logger; options?: ComposeOptions },
): Promise<{ files: ComposedFile[]; report: CompositionReport }> {
  const started = Date.now();
  const { tools, log } = opts;
  const durations = new Map<string, number>();
  for (const track of timeline.tracks) {
    for (const segment of track.segments) {
      const full = path.join(dir, segment.file);
      const size = (await stat(full).catch(() => null))?.size ?? 0;
      durations.set(segment.file, size > 0 ? await probeDuration(full, tools.ffprobe) : 0);
    }
  }
  const plan = compositionPlan(timeline, durations, opts.options ?? DEFAULT_COMPOSE);
  // What the senders' own clocks say of that placement, for the report.
  const { sync } = syncToSenders(timeline);
  const work = path.join(dir, 'work');
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const channelFile = (channel: string) => path.join(work, `channel-${channel}.m4a`);
  const absolute = { ...plan, inputs: plan.inputs.map((i) => ({ ...i, file: path.join(dir, i.file) })) };
  log.info({ duration: plan.duration, inputs: plan.inputs.length, channels: plan.channels.map((c) => c.channel), epochs: plan.epochs.length }, 'composing a recording');
  await runFfmpeg(tools, compositionArgs(absolute, { composite: path.join(dir, 'composite.mp4'), channel: channelFile }, tools.threads), log);

  /* HLS: the composite's video and floor, copied; each channel's sound; then subtitles. */
  const hlsDir = path.join(dir, 'hls');
  await rm(hlsDir, { recursive: true, force: true });
  await mkdir(hlsDir, { recursive: true });
  const audio: HlsRendition[] = [{ name: 'floor', language: opts.floorLanguage }, ...plan.channels.map((c) => ({ name: `channel-${c.channel}`, language: c.language }))];
  await runFfmpeg({ ...tools, nice: false }, hlsArgs(path.join(dir, 'composite.mp4'), plan.channels.map((c) => channelFile(c.channel)), audio, hlsDir), log);
  const names = new Map(audio.map((a, i) => [a.name, i === 0 ? `Floor${opts.floorLanguage !== 'und' ? ` (${languageName(opts.floorLanguage)})` : ''}` : languageName(a.language)]));
  // MPEG-TS timestamps start after an offset: subtitles are mapped to the first video frame's.
  const { stdout: tsStart } = await run(tools.ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=start_time', '-of', 'csv=p=0', path.join(hlsDir, 'video', 'seg-000.ts')]).catch(() => ({ stdout: '0' }));
  const mpegts = Math.round((Number(tsStart.trim()) || 0) * 90_000);
  const subtitles = [];
  const captionsOut: ComposedFile[] = [];
  for (const caption of opts.captions) {
    const language = caption.language.replace(/[^A-Za-z0-9-]/g, '').slice(0, 35) || 'und';
    const vtt = await readFile(caption.vttPath, 'utf8').catch(() => null);
    if (vtt === null || !vtt.replace(/^\uFEFF/, '').startsWith('WEBVTT')) {
      log.warn({ language, file: caption.vttPath }, 'captions skipped: not a WebVTT file');
      continue;
    }
    await mkdir(path.join(dir, 'captions'), { recursive: true });
    await copyFile(caption.vttPath, path.join(dir, 'captions', `${language}.vtt`));
    captionsOut.push({ path: `captions/${language}.vtt`, kind: 'captions', mediaType: 'text/vtt', language });
    const sub = path.join(hlsDir, `subtitles-${language}`);
    await mkdir(sub, { recursive: true });
    await writeFile(path.join(sub, 'captions.vtt'), vttForHls(vtt, mpegts));
    await writeFile(path.join(sub, 'index.m3u8'), subtitlePlaylist('captions.vtt', plan.duration));
    subtitles.push({ language, name: languageName(language), uri: `subtitles-${language}/index.m3u8` });
  }
  const masterFile = path.join(hlsDir, 'master.m3u8');
  await writeFile(masterFile, finishMaster(await readFile(masterFile, 'utf8'), names, subtitles));

  /* A poster: a frame a few seconds in. */
  const posterAt = Math.min(5, plan.duration / 2);
  await runFfmpeg({ ...tools, nice: false }, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-ss', posterAt.toFixed(2), '-i', path.join(dir, 'composite.mp4'), '-frames:v', '1', '-vf', 'scale=640:-2', '-y', path.join(dir, 'poster.jpg')], log).catch((err: unknown) =>
    log.warn({ err }, 'no poster frame'),
  );
  await rm(work, { recursive: true, force: true });

  const seconds = (Date.now() - started) / 1000;
  const report: CompositionReport = {
    duration: plan.duration,
    seconds,
    speed: plan.duration / Math.max(seconds, 1e-3),
    inputs: plan.inputs.length,
    channels: plan.channels.map((c) => c.channel),
    captions: subtitles.map((s) => s.language),
    drift: timeline.tracks.flatMap((t) => t.segments.map((s) => ({ track: t.key, segment: s.file, ...segmentDrift(s, t.clockRate) }))),
    senderSync: sync.peers,
  };
  await writeFile(path.join(dir, 'composition.json'), JSON.stringify({ report, epochs: plan.epochs }, null, 1));

  const files: ComposedFile[] = [];
  for (const track of timeline.tracks) {
    for (const segment of track.segments) {
      if (!durations.get(segment.file)) continue;
      files.push({ path: segment.file, kind: 'track', mediaType: track.kind === 'video' ? 'video/x-matroska' : 'audio/x-matroska', language: track.channel ? channelLanguageTag(track.channel) : null });
    }
  }
  files.push({ path: 'timeline.json', kind: 'metadata', mediaType: 'application/json' });
  files.push({ path: 'composition.json', kind: 'metadata', mediaType: 'application/json' });
  files.push({ path: 'composite.mp4', kind: 'composite', mediaType: 'video/mp4' });
  if ((await stat(path.join(dir, 'poster.jpg')).catch(() => null))?.size) files.push({ path: 'poster.jpg', kind: 'poster', mediaType: 'image/jpeg' });
  files.push(...captionsOut);
  const languages = new Map<string, string>([['floor', opts.floorLanguage], ...plan.channels.map((c): [string, string] => [`channel-${c.channel}`, c.language]), ...subtitles.map((s): [string, string] => [`subtitles-${s.language}`, s.language])]);
  for (const file of await filesUnder(hlsDir, dir)) {
    const rendition = file.split('/')[1] ?? '';
    files.push({ path: file, kind: 'hls', mediaType: MEDIA_TYPES[path.extname(file)] ?? 'application/octet-stream', language: languages.get(rendition) ?? null });
  }
  log.info({ ...report, drift: undefined, senderSync: undefined, senderClockMoves: sync.peers.flatMap((p) => p.tracks), anchorSpreadMs: Math.max(0, ...report.drift.map((d) => d.spreadMs)) }, 'recording composed');
  return { files, report };
}
