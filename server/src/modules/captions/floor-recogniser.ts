import type { ChildProcess } from 'node:child_process';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import type { CaptionLanguage } from '../../contract';
import { openRtpTap, spawnRtpReader, type RtpTap } from '../media/rtp-tap';
import { AudioClock } from './stt/audio-clock';
import type { SpeechResult, SpeechStream, SpeechToTextProvider } from './stt/speech-to-text';

/** The recogniser's input: what the tap's reader decodes to. */
export const SAMPLE_RATE = 16_000;
/**
 * A microphone sends almost nothing in a pause (Opus DTX: one packet in 400 ms), and decoded as it
 * comes a 2.5 s pause shrank to about 0.3 s of audio: the recogniser, which ends an utterance after
 * half a second of quiet, ran one sentence into the next and showed a line only when the speaker went
 * on. `aresample=async=1` fills the gaps in the packets' timestamps with silence: pauses keep their length.
 */
const PCM_ARGS = [
  '-vn',
  '-af',
  'aresample=async=1:first_pts=0',
  '-f',
  's16le',
  '-ac',
  '1',
  '-ar',
  String(SAMPLE_RATE),
  '-flush_packets',
  '1',
  'pipe:1',
];
/** How long the reader gets to open its socket before packets flow (what is sent before is lost). */
const READER_SETTLE_MS = 300;
/**
 * A microphone that stops sending (muted, or Opus DTX in a pause) leaves the recogniser without the
 * silence that ends an utterance: after this long without audio, quiet is fed in its place, up to
 * GAP_FILL_MAX_MS, so the last line is finished and shown when the speaker stops.
 */
const GAP_AFTER_MS = 400;
const GAP_STEP_MS = 200;
const GAP_FILL_MAX_MS = 1_600;

/** `ms` of near-silence (a faint dither: a recogniser's energy detector takes the log of it). */
export function quiet(ms: number, seed = 1): Buffer {
  const n = Math.round((SAMPLE_RATE * ms) / 1000);
  const out = Buffer.alloc(n * 2);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out.writeInt16LE((x % 5) - 2, i * 2);
  }
  return out;
}

export interface Utterance {
  text: string;
  /** Wall-clock ms of its first and last word. */
  startWall: number;
  endWall: number;
}

export interface SpeakerTap {
  /** The words so far (partial results), or the finished utterance. */
  onPartial(text: string): void;
  onFinal(u: Utterance): void;
  onEnded(reason: string): void;
}

/**
 * One speaker's microphone turned into text: a tap of their producer on the room's origin router,
 * FFmpeg decoding it to 16 kHz mono PCM, and a stream of the speech-to-text provider fed with it.
 * Each floor microphone gets its own, so every line is said by someone known and two people talking
 * at once are both captioned; a muted microphone sends nothing and costs nothing.
 */
export class SpeakerRecogniser {
  private tap: RtpTap | undefined;
  private reader: ChildProcess | undefined;
  private stream: SpeechStream | undefined;
  private readonly clock = new AudioClock(SAMPLE_RATE);
  private stopped = false;
  private lastAudio = 0;
  private filled = 0;
  private gapTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly router: types.Router,
    private readonly producer: types.Producer,
    private readonly provider: SpeechToTextProvider,
    private readonly language: CaptionLanguage,
    private readonly sink: SpeakerTap,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const tap = await openRtpTap(this.router, this.producer.id, { appData: { captions: true } });
    if (this.stopped) return tap.close();
    this.tap = tap;
    const stream = this.provider.start({ language: this.language, sampleRate: SAMPLE_RATE });
    this.stream = stream;
    stream.onResult((r) => this.result(r));
    stream.onError((err) => {
      this.logger.warn({ err: err.message, producerId: this.producer.id }, 'speech-to-text stream failed');
      this.stop('recogniser failed');
    });
    const reader = spawnRtpReader(tap, PCM_ARGS);
    this.reader = reader;
    let odd: Buffer | null = null;
    reader.stdout!.on('data', (chunk: Buffer) => {
      // Whole samples only: a chunk may end in the middle of one.
      const data = odd ? Buffer.concat([odd, chunk]) : chunk;
      const whole = data.length - (data.length % 2);
      odd = whole < data.length ? data.subarray(whole) : null;
      if (!whole) return;
      this.lastAudio = Date.now();
      this.filled = 0;
      this.clock.fed(whole / 2, this.lastAudio);
      stream.push(data.subarray(0, whole));
    });
    this.gapTimer = setInterval(() => {
      if (!this.lastAudio || this.filled >= GAP_FILL_MAX_MS || Date.now() - this.lastAudio < GAP_AFTER_MS) return;
      const pcm = quiet(GAP_STEP_MS, this.filled + 1);
      this.filled += GAP_STEP_MS;
      this.clock.fed(pcm.length / 2, Date.now());
      stream.push(pcm);
    }, GAP_STEP_MS).unref();
    let errors = '';
    reader.stderr!.on('data', (d: Buffer) => (errors = (errors + d.toString()).slice(-1000)));
    reader.once('error', (err) => {
      this.logger.warn({ err: err.message }, 'the caption audio reader (ffmpeg) did not start');
      this.stop('ffmpeg missing');
    });
    reader.once('exit', (code, signal) => {
      if (!this.stopped) {
        this.logger.warn({ code, signal, errors: errors.trim(), producerId: this.producer.id }, 'the caption audio reader stopped');
        this.stop('reader stopped');
      }
    });
    // The producer or the room going away closes the tap's consumer.
    tap.consumer.observer.once('close', () => this.stop('producer closed'));
    await new Promise((r) => setTimeout(r, READER_SETTLE_MS));
    if (!this.stopped) await tap.start();
  }

  private result(r: SpeechResult): void {
    if (r.kind === 'partial') return this.sink.onPartial(r.text);
    if (!r.text) return;
    const startWall = this.clock.wallAt(r.start);
    const endWall = this.clock.wallAt(r.end);
    const now = Date.now();
    this.sink.onFinal({
      text: r.text,
      startWall: Number.isFinite(startWall) ? startWall : now,
      endWall: Number.isFinite(endWall) ? endWall : now,
    });
  }

  /** Stops the audio; the recogniser finishes the utterance under way, which is still delivered. */
  stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.gapTimer);
    this.tap?.close();
    this.reader?.kill('SIGTERM');
    const stream = this.stream;
    void (stream ? stream.end().catch(() => stream.abort()) : Promise.resolve()).finally(() => this.sink.onEnded(reason));
  }

  get producerId(): string {
    return this.producer.id;
  }
}
