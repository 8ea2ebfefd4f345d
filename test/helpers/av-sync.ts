import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Audio/video sync measured on real media: a source whose picture flashes white and whose sound
 * beeps at the same instants, and the tools to find the flashes and the beeps again in a recorded
 * file. The offset between each flash and its beep, after the trip through capture, SFU, recorder
 * and composition, is the A/V offset; its spread over time is the drift.
 */

const run = promisify(execFile);

export interface FlashBeep {
  /** Seconds between flashes (and beeps). */
  period: number;
  /** When in each period the flash and the beep start (seconds). */
  at: number;
  /** How long each lasts (seconds). */
  length: number;
}

export const FLASH_BEEP: FlashBeep = { period: 1, at: 0.3, length: 0.1 };

/** True during the flash (and the beep) of each period, as an FFmpeg expression. */
const on = (s: FlashBeep) => `between(mod(t,${s.period}),${s.at},${s.at + s.length - 0.001})`;

/** lavfi graph of the picture: a moving test pattern (never frozen), all white during each flash. */
export function flashVideoGraph(s: FlashBeep = FLASH_BEEP, size = '320x240', fps = 30): string {
  return `testsrc2=s=${size}:r=${fps},format=yuv420p[bg];color=c=white:s=${size}:r=${fps},format=yuv420p[white];[bg][white]overlay=enable='${on(s)}'`;
}

/** lavfi graph of the sound: a 1 kHz beep during each flash, silence otherwise. */
export function beepAudioGraph(s: FlashBeep = FLASH_BEEP, rate = 48_000): string {
  return `sine=frequency=1000:sample_rate=${rate},volume=volume='if(${on(s)},0.5,0)':eval=frame,aformat=channel_layouts=stereo`;
}

/**
 * The flash-and-beep source encoded once as a browser would send it (VP8 and Opus in one Matroska
 * file), so that a sender can replay it in real time with `-c copy` at almost no CPU cost: an
 * encoder run live on a loaded machine falls behind the clock, and its stream with it.
 */
export async function encodeFlashBeep(file: string, seconds: number, s: FlashBeep = FLASH_BEEP, size = '320x240', fps = 30): Promise<string> {
  await run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    flashVideoGraph(s, size, fps),
    '-f',
    'lavfi',
    '-i',
    beepAudioGraph(s),
    '-t',
    String(seconds),
    '-c:v',
    'libvpx',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-b:v',
    '400k',
    '-g',
    String(fps),
    '-c:a',
    'libopus',
    '-b:a',
    '48k',
    '-y',
    file,
  ]);
  return file;
}

/** Any lavfi source encoded to VP8 (video) or Opus (audio) in Matroska, for replay with `-c copy`. */
export async function encodeSource(file: string, kind: 'audio' | 'video', graph: string, seconds: number): Promise<string> {
  const codec = kind === 'video' ? ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '30'] : ['-c:a', 'libopus', '-b:a', '48k'];
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', graph, '-t', String(seconds), ...codec, '-y', file]);
  return file;
}

/**
 * Files for Chromium's fake capture (`--use-file-for-fake-video-capture` / `-audio-capture`): a Y4M
 * and a WAV of the same length, so their loops stay in step. Chromium starts each when its device
 * opens, so the capture itself may put them out of step by a constant: measure that at a listener.
 */
export async function writeFlashBeepFiles(dir: string, seconds: number, s: FlashBeep = FLASH_BEEP, size = '640x360', fps = 30): Promise<{ y4m: string; wav: string }> {
  const y4m = path.join(dir, 'flash.y4m');
  const wav = path.join(dir, 'beep.wav');
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', flashVideoGraph(s, size, fps), '-t', String(seconds), '-pix_fmt', 'yuv420p', '-y', y4m]);
  // Mono 16-bit PCM at 48 kHz, as Chromium's fake audio file reader wants it; the volume filter
  // evaluates per frame, so the beep edges land on 10 ms frames: fine for a tone we detect by onset.
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', beepAudioGraph(s).replace(',aformat=channel_layouts=stereo', ''), '-t', String(seconds), '-ac', '1', '-ar', '48000', '-c:a', 'pcm_s16le', '-frame_size', '480', '-y', wav]);
  return { y4m, wav };
}

/** A silent WAV (a microphone that hears nothing), for pages whose sound must not confuse the beeps. */
export async function writeSilence(dir: string, seconds: number): Promise<string> {
  const wav = path.join(dir, 'silence.wav');
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `anullsrc=r=48000:cl=mono`, '-t', String(seconds), '-c:a', 'pcm_s16le', '-y', wav]);
  return wav;
}

export interface Crop {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Mean luma of every frame (optionally of a region, and of the frames in [from, to) only), with its time. */
export async function lumaPerFrame(file: string, crop?: Crop, from = 0, to?: number): Promise<{ t: number; y: number }[]> {
  const filters = [
    ...(from > 0 || to !== undefined ? [`trim=start=${from}${to !== undefined ? `:end=${to}` : ''}`] : []),
    ...(crop ? [`crop=${crop.w}:${crop.h}:${crop.x}:${crop.y}`] : []),
    'signalstats',
    'metadata=print:key=lavfi.signalstats.YAVG:file=-',
  ];
  const { stdout } = await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', file, '-map', '0:v:0', '-vf', filters.join(','), '-f', 'null', '-'], { maxBuffer: 64 * 1024 * 1024 });
  const out: { t: number; y: number }[] = [];
  let t: number | null = null;
  for (const line of stdout.split('\n')) {
    const frame = /pts_time:([\d.]+)/.exec(line);
    if (frame) t = Number(frame[1]);
    const value = /YAVG=([\d.]+)/.exec(line);
    if (value && t !== null) out.push({ t, y: Number(value[1]) });
  }
  return out;
}

/**
 * Flash onsets of one picture of a composition, following it through the layout: `spans` are where it
 * is over time (the composer's epochs). Onsets closer than `edge` to a span's start are left out: a
 * picture moving into a bright place is not a flash.
 */
export async function flashesAlong(file: string, spans: readonly { from: number; to: number; crop: Crop }[], edge = 0.1): Promise<number[]> {
  const out: number[] = [];
  for (const span of spans) {
    const frames = await lumaPerFrame(file, span.crop, span.from, span.to);
    out.push(...flashOnsets(frames).filter((t) => t >= span.from + edge));
  }
  return out.sort((a, b) => a - b);
}

/** Times of the frames where a flash starts: luma rising through the middle between dark and flash. */
export function flashOnsets(frames: readonly { t: number; y: number }[], minJump = 15): number[] {
  if (!frames.length) return [];
  const sorted = frames.map((f) => f.y).sort((a, b) => a - b);
  const low = sorted[Math.floor(sorted.length * 0.05)]!;
  const high = sorted[Math.floor(sorted.length * 0.99)]!;
  if (high - low < minJump) return [];
  const mid = (low + high) / 2;
  const onsets: number[] = [];
  for (let i = 1; i < frames.length; i++) if (frames[i - 1]!.y < mid && frames[i]!.y >= mid) onsets.push(frames[i]!.t);
  return onsets;
}

/** Times where a beep starts (the end of each silence), from FFmpeg's silencedetect on the first audio stream. */
export async function beepOnsets(file: string, stream = 'a:0', noiseDb = -35): Promise<number[]> {
  const { stderr } = await run('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-map', `0:${stream}`, '-af', `silencedetect=noise=${noiseDb}dB:duration=0.05`, '-f', 'null', '-'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return [...stderr.matchAll(/silence_end: ([\d.]+)/g)].map((m) => Number(m[1]));
}

/**
 * For each flash, the nearest beep within half a period: beep minus flash, in seconds (positive: the
 * sound comes late). Flashes without a beep near them (a muted microphone) are left out.
 */
export function avOffsets(flashes: readonly number[], beeps: readonly number[], period: number): { at: number; offset: number }[] {
  return flashes.flatMap((f) => {
    const nearest = beeps.reduce<number | null>((best, b) => (best === null || Math.abs(b - f) < Math.abs(best - f) ? b : best), null);
    return nearest !== null && Math.abs(nearest - f) < period / 2 ? [{ at: f, offset: nearest - f }] : [];
  });
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};

/** Frames whose picture changed from the one before (FFmpeg's scene score above `threshold`). */
export async function sceneChanges(file: string, threshold = 0.02, stream = 'v:0'): Promise<number> {
  const { stdout } = await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', file, '-map', `0:${stream}`, '-vf', `select='gt(scene,${threshold})',metadata=print:file=-`, '-f', 'null', '-'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return (stdout.match(/pts_time:/g) ?? []).length;
}

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  duration?: string;
  tags?: { language?: string };
}

export async function probe(file: string): Promise<{ streams: ProbedStream[]; duration: number }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,duration:stream_tags=language:format=duration', '-of', 'json', file]);
  const parsed = JSON.parse(stdout) as { streams: ProbedStream[]; format?: { duration?: string } };
  return { streams: parsed.streams, duration: Number(parsed.format?.duration ?? NaN) };
}

/** Frames that decode without error: the file plays. */
export async function decodes(file: string): Promise<boolean> {
  try {
    const { stderr } = await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', file, '-f', 'null', '-']);
    return !/error|invalid/i.test(stderr);
  } catch {
    return false;
  }
}
