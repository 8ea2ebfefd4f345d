import type { ChildProcess } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { endRtpReader, openRtpTap, type RtpTap, spawnRtpReader, waitForUdpListener } from '../media/rtp-tap';
import { trackWriterArgs } from './ffmpeg-args';
import { keepReport, ntpToUnixMs } from './sender-sync';
import type { Anchor, SegmentMeta, TrackMeta } from './timeline';

/** A reader that dies is started again after this, doubling per death within the window below. */
const RESTART_DELAY_MS = 300;
/** More deaths than this within a minute and the stream stays interrupted until a host resumes it. */
const MAX_RESTARTS_PER_MINUTE = 3;
/** An anchor every this often while a stream flows: placement takes the least delayed, and drift is measured. */
const ANCHOR_EVERY_MS = 10_000;
/** An anchor is the least delayed of the packets sent within this window (or the first this many). */
const ANCHOR_WINDOW_MS = 400;
const ANCHOR_PACKETS = 25;
/**
 * How often a recorded video is checked for a stall: a reader that lost part of a frame drops every
 * frame after it until the next key frame, and a browser sends one only when asked. A file that did
 * not grow over two checks while its stream flowed gets a key frame asked for.
 */
const STALL_CHECK_MS = 2_000;
/** A reader asked to stop (it then closes its file properly) is killed after this. */
const STOP_GRACE_MS = 5_000;
/**
 * How long a new reader may take to open its socket. A busy machine can take seconds to start one;
 * killing it then would only start the same wait again.
 */
const READER_OPEN_MS = 20_000;

export interface TrackRecorderEvents {
  /** The reader died; `retrying`: it is started again by itself. */
  interrupted(track: TrackRecorder, retrying: boolean): void;
  /** A reader is writing again after an interruption. */
  resumed(track: TrackRecorder): void;
  /** The stream's producer closed: its file is complete. */
  ended(track: TrackRecorder): void;
  /** Something in `meta` changed (to be saved). */
  changed(): void;
}

/** Milliseconds on the monotonic clock mediasoup's worker stamps its trace events with (libuv's uv_hrtime). */
const monotonicMs = () => Number(process.hrtime.bigint() / 1_000_000n);

/**
 * Records one producer as it arrives: a tap (a paused consumer on a loopback plain transport) read by
 * one FFmpeg at a time writing `-c copy` into a Matroska segment. A reader that dies leaves its file
 * readable up to its last half second; a new reader writes the next segment. Each segment is anchored
 * to the wall clock by the first packet the SFU sent to it (see timeline.ts).
 */
export class TrackRecorder {
  private tap: RtpTap | null = null;
  private reader: ChildProcess | null = null;
  private readerExit: Promise<void> = Promise.resolve();
  private segment: SegmentMeta | null = null;
  private wantAnchor: { resume: boolean; samples: Anchor[]; timer: NodeJS.Timeout | undefined } | null = null;
  private anchorTimer: NodeJS.Timeout | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  /** The file's size and the bytes the tap had sent at the last stall check. */
  private lastCheck: { file: string; size: number; sent: number; stalled: number } | null = null;
  private restartTimer: NodeJS.Timeout | undefined;
  private deaths: number[] = [];
  private opening: Promise<void> | null = null;
  /** stopped: the recording stopped; closed: the producer went away. */
  private finished: 'stopped' | 'closed' | null = null;
  /** Down: no reader writes now (it died and is not back yet, or gave up). */
  interrupted = false;
  /** Set when the reader died too often: only `resume()` starts it again. */
  gaveUp = false;
  /** The last lines the current reader wrote to stderr, for the log when it dies. */
  private stderr = '';

  constructor(
    private readonly router: types.Router,
    readonly producer: types.Producer,
    /** The recording's folder (absolute). */
    private readonly dir: string,
    readonly meta: TrackMeta,
    private readonly events: TrackRecorderEvents,
    private readonly log: Logger,
    private readonly ffmpeg = 'ffmpeg',
  ) {}

  get key(): string {
    return this.meta.key;
  }

  /** Process id of the reader writing now (tests kill it to check recovery). */
  get readerPid(): number | null {
    return this.reader?.pid ?? null;
  }

  get done(): boolean {
    return this.finished !== null;
  }

  async start(): Promise<void> {
    const tap = await openRtpTap(this.router, this.producer.id, { appData: { recordingTrack: this.meta.key } });
    this.tap = tap;
    const consumer = tap.consumer;
    consumer.on('trace', (trace) => this.onTrace(trace));
    consumer.on('producerpause', () => {
      this.meta.pauses.push({ fromMs: Date.now(), toMs: null });
      this.events.changed();
    });
    consumer.on('producerresume', () => {
      const open = this.meta.pauses.at(-1);
      if (open && open.toMs === null) open.toMs = Date.now();
      this.events.changed();
      // After a gap: a key frame for the reader, and an anchor to check the sender's clock ran on.
      void tap.requestKeyFrame().catch(() => undefined);
      this.requestAnchor(true);
    });
    if (this.producer.paused) this.meta.pauses.push({ fromMs: Date.now(), toMs: null });
    // A simulcast sender's layers come and go with its bandwidth and CPU: which one is written, logged.
    consumer.on('layerschange', (layers) => this.log.info({ layers: layers ?? null }, 'recorded stream layers changed'));
    consumer.on('producerclose', () => void this.stop('closed'));
    consumer.on('transportclose', () => void this.stop('closed'));
    this.anchorTimer = setInterval(() => this.requestAnchor(), ANCHOR_EVERY_MS).unref();
    if (this.meta.kind === 'video') this.stallTimer = setInterval(() => void this.checkStall(), STALL_CHECK_MS).unref();
    // The sender's reports of its own clock: composition reports what they say of its sync (sender-sync.ts).
    this.producer.on('trace', this.onProducerTrace);
    await this.producer.enableTraceEvent(['sr']).catch(() => undefined);
    await this.openSegment();
  }

  /** Starts the reader again after it gave up (a host's resume); true when a reader is writing now. */
  async resume(): Promise<boolean> {
    if (this.finished) return false;
    this.deaths = [];
    this.gaveUp = false;
    clearTimeout(this.restartTimer);
    if (!this.tap) {
      // It never started (its tap could not open): start it now.
      try {
        await this.start();
      } catch (err) {
        this.log.error({ err, track: this.meta.key }, 'could not start recording a stream');
        return false;
      }
    } else if (!this.reader) await this.restart();
    if (this.reader && this.interrupted) {
      this.interrupted = false;
      this.events.resumed(this);
    }
    return this.reader !== null;
  }

  /** Ends this track: the reader closes its file (SIGINT), the tap closes. Idempotent. */
  async stop(reason: 'stopped' | 'closed' = 'stopped'): Promise<void> {
    if (!this.finished) {
      this.finished = reason;
      clearInterval(this.anchorTimer);
      clearInterval(this.stallTimer);
      clearTimeout(this.restartTimer);
      await this.opening?.catch(() => undefined);
      const reader = this.reader;
      if (reader && reader.exitCode === null && reader.signalCode === null) {
        // A last anchor, from a packet of the very end, if one comes soon.
        if (reason === 'stopped' && this.tap && !this.tap.consumer.closed && !this.producer.paused) await this.anchorWithin(300);
        // The end of the stream, as the reader understands it: it closes its file properly. A reader
        // that does not hear it gets a signal, then is killed (its file is still readable then).
        if (this.tap) await endRtpReader(this.tap);
        const signal = setTimeout(() => reader.kill('SIGINT'), 1_500);
        const killer = setTimeout(() => reader.kill('SIGKILL'), STOP_GRACE_MS);
        await this.readerExit;
        clearTimeout(signal);
        clearTimeout(killer);
      }
      this.tap?.close();
      this.producer.off('trace', this.onProducerTrace);
      if (!this.producer.closed) void this.producer.enableTraceEvent([]).catch(() => undefined);
      this.interrupted = false;
      if (reason === 'closed') this.events.ended(this);
    }
    await this.readerExit;
  }

  private async checkStall(): Promise<void> {
    const tap = this.tap;
    const segment = this.segment;
    if (!tap || !segment || !this.reader || this.finished || tap.consumer.closed || tap.consumer.paused || this.producer.paused) {
      this.lastCheck = null;
      return;
    }
    const size = (await stat(path.join(this.dir, segment.file)).catch(() => null))?.size ?? 0;
    const stats = await tap.consumer.getStats().catch(() => []);
    const sent = stats.find((s) => s.type === 'outbound-rtp')?.byteCount ?? 0;
    const last = this.lastCheck;
    // Two checks in a row (a slow screen share may leave one frame unwritten for a while).
    const stalled = last && last.file === segment.file && size === last.size && sent > last.sent ? last.stalled + 1 : 0;
    this.lastCheck = { file: segment.file, size, sent, stalled: stalled >= 2 ? 0 : stalled };
    if (stalled >= 2) {
      this.log.warn({ file: segment.file }, 'recorded video stalled: asking for a key frame');
      await tap.requestKeyFrame().catch(() => undefined);
    }
  }

  private async openSegment(): Promise<void> {
    const tap = this.tap;
    if (!tap || this.finished || tap.consumer.closed) return;
    const index = this.meta.segments.length;
    const file = path.posix.join('tracks', this.meta.key, `segment-${String(index).padStart(3, '0')}.mkv`);
    const full = path.join(this.dir, file);
    await mkdir(path.dirname(full), { recursive: true });
    // No packets while no reader listens: a restarted reader starts from a key frame, nothing half-read.
    if (!tap.consumer.paused) await tap.consumer.pause();
    if (this.wantAnchor) clearTimeout(this.wantAnchor.timer);
    this.wantAnchor = null;
    const segment: SegmentMeta = { file, startedAtMs: Date.now(), firstRtpTs: null, anchors: [], endedAtMs: null, end: null };
    this.meta.segments.push(segment);
    this.segment = segment;
    this.events.changed();
    // A muted sender is a pause: the reader waits through it (and is ended by a BYE, see stop()).
    const reader = spawnRtpReader(tap, trackWriterArgs(full, this.meta.channel), this.ffmpeg, { endOnSilence: false });
    this.reader = reader;
    segment.pid = reader.pid ?? null;
    this.stderr = '';
    reader.stdout?.resume();
    reader.stderr?.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)));
    this.readerExit = new Promise((resolve) => {
      reader.once('error', (err) => {
        this.log.error({ err, track: this.meta.key }, 'recorder could not start');
        if (reader.exitCode === null) this.readerExited(reader, segment, null, null);
        resolve();
      });
      reader.once('exit', (code, signal) => {
        this.readerExited(reader, segment, code, signal);
        resolve();
      });
    });
    const listening = await waitForUdpListener(tap.port, { timeoutMs: READER_OPEN_MS, alive: () => this.reader === reader && reader.exitCode === null && !this.finished });
    if (!listening || this.reader !== reader || this.finished) {
      if (this.reader === reader && reader.exitCode === null) reader.kill('SIGKILL');
      return;
    }
    // The first packet the reader gets is the file's time 0: anchor it. Video starts on a key frame
    // (mediasoup holds a resumed video consumer until one), asked for now.
    this.requestAnchor();
    await tap.start();
  }

  private readerExited(reader: ChildProcess, segment: SegmentMeta, code: number | null, signal: NodeJS.Signals | null): void {
    if (segment.endedAtMs === null) segment.endedAtMs = Date.now();
    segment.pid = null;
    // What the reader complained of while it wrote (it prints errors only): dropped or damaged packets.
    if (this.stderr.trim() && code === 0) this.log.warn({ stderr: this.stderr.trim().slice(-500), file: segment.file }, 'track recorder reported errors');
    if (this.reader === reader) this.reader = null;
    if (this.finished) {
      segment.end = this.finished;
      this.events.changed();
      return;
    }
    // A clean end nobody asked for is the stream's own end (the SFU says BYE when a producer closes):
    // told apart from a death once the close has had time to arrive.
    if (code === 0) {
      setTimeout(() => {
        if (this.finished) segment.end = this.finished;
        else if (this.producer.closed || this.tap?.consumer.closed) {
          segment.end = 'closed';
          void this.stop('closed');
        }
        else return this.died(segment, code, signal);
        this.events.changed();
      }, 200).unref();
      return;
    }
    this.died(segment, code, signal);
  }

  private died(segment: SegmentMeta, code: number | null, signal: NodeJS.Signals | null): void {
    segment.end = 'crashed';
    this.events.changed();
    const now = Date.now();
    this.deaths = [...this.deaths.filter((t) => now - t < 60_000), now];
    this.gaveUp = this.deaths.length > MAX_RESTARTS_PER_MINUTE;
    this.interrupted = true;
    this.log.warn({ track: this.meta.key, code, signal, stderr: this.stderr.trim().slice(-500), gaveUp: this.gaveUp }, 'track recorder died');
    this.events.interrupted(this, !this.gaveUp);
    // Nothing is sent while no reader listens (the next reader starts from a key frame).
    if (this.tap && !this.tap.consumer.closed) void this.tap.consumer.pause().catch(() => undefined);
    if (this.gaveUp) return;
    this.restartTimer = setTimeout(() => void this.restart(), RESTART_DELAY_MS * 2 ** (this.deaths.length - 1)).unref();
  }

  private async restart(): Promise<void> {
    if (this.finished || this.reader || this.opening) return this.opening ?? undefined;
    this.opening = this.openSegment()
      .catch((err: unknown) => this.log.error({ err, track: this.meta.key }, 'could not restart a track recorder'))
      .finally(() => (this.opening = null));
    await this.opening;
    if (this.reader && this.interrupted && !this.finished) {
      this.interrupted = false;
      this.events.resumed(this);
    }
  }

  /**
   * Anchors the packets sent to the reader next: the trace is switched on for a short window, the
   * least delayed packet of it is kept (see timeline.ts), and the trace is switched off again.
   */
  private requestAnchor(resume = false): void {
    const consumer = this.tap?.consumer;
    if (!consumer || consumer.closed || !this.reader) return;
    if (this.wantAnchor) {
      this.wantAnchor.resume ||= resume;
      return;
    }
    this.wantAnchor = { resume, samples: [], timer: undefined };
    void consumer.enableTraceEvent(['rtp']).catch(() => (this.wantAnchor = null));
  }

  private async anchorWithin(ms: number): Promise<void> {
    const before = this.segment?.anchors.length ?? 0;
    this.requestAnchor();
    for (const end = Date.now() + ms; Date.now() < end && (this.segment?.anchors.length ?? 0) === before; ) await new Promise((r) => setTimeout(r, 20));
  }

  private readonly onProducerTrace = (trace: types.ProducerTraceEventData): void => {
    if (trace.type !== 'sr' || this.finished) return;
    const sr = trace.info as { ssrc?: number; ntpSec?: number; ntpFrac?: number; rtpTs?: number };
    if (typeof sr.ssrc !== 'number' || typeof sr.ntpSec !== 'number' || typeof sr.ntpFrac !== 'number' || typeof sr.rtpTs !== 'number') return;
    if (keepReport((this.meta.senderReports ??= []), { ssrc: sr.ssrc, ntpMs: ntpToUnixMs(sr.ntpSec, sr.ntpFrac), rtpTs: sr.rtpTs })) this.events.changed();
  };

  private onTrace(trace: types.ConsumerTraceEventData): void {
    const want = this.wantAnchor;
    if (trace.type !== 'rtp' || trace.direction !== 'out' || !want) return;
    const packet = (trace.info as { rtpPacket?: { timestamp?: number } }).rtpPacket;
    const segment = this.segment;
    if (typeof packet?.timestamp !== 'number' || !segment || !this.reader) return;
    // The first packet of a file is its time 0.
    segment.firstRtpTs ??= packet.timestamp;
    // The worker stamps the event with its monotonic clock when it sent the packet: back to wall-clock time.
    want.samples.push({ wallMs: Date.now() - Math.max(0, monotonicMs() - trace.timestamp), rtpTs: packet.timestamp });
    want.timer ??= setTimeout(() => this.settleAnchor(want, segment), ANCHOR_WINDOW_MS * 1.5).unref();
    if (want.samples.length >= ANCHOR_PACKETS || want.samples.at(-1)!.wallMs - want.samples[0]!.wallMs >= ANCHOR_WINDOW_MS) this.settleAnchor(want, segment);
  }

  /** Keeps the sample whose wall time is earliest against its RTP time: the one the SFU sent with the least delay. */
  private settleAnchor(want: NonNullable<TrackRecorder['wantAnchor']>, segment: SegmentMeta): void {
    if (this.wantAnchor !== want) return;
    this.wantAnchor = null;
    clearTimeout(want.timer);
    void this.tap?.consumer.enableTraceEvent([]).catch(() => undefined);
    const first = want.samples[0];
    if (!first) return;
    const lateness = (a: Anchor) => a.wallMs / 1000 - ((a.rtpTs - first.rtpTs) | 0) / this.meta.clockRate;
    const best = want.samples.reduce((a, b) => (lateness(b) < lateness(a) ? b : a));
    segment.anchors.push(want.resume ? { ...best, resume: true } : best);
    this.events.changed();
}
}
