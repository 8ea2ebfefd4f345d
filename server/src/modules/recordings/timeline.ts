import type { ChannelLanguage, MediaSource, RecordingLayout } from '../../contract';
import type { Picture } from './layout';
import type { SenderReport } from './sender-sync';

/**
 * What composition needs to put every recorded stream back in time, and the arithmetic that does it.
 *
 * Each stream (a track) is written as it arrives, `-c copy`, by one reader process at a time; each
 * process writes one *segment* file, whose timestamps are the stream's RTP clock counted from its
 * first packet. So the file keeps the gaps of a muted microphone (its RTP clock runs on while the
 * server holds its packets back) and needs only one fact to be placed: when its first packet left the
 * SFU. That fact, and a few more taken along the way (on each resume, every half minute, at the end),
 * are *anchors*: the RTP timestamp of a packet and the wall-clock time the SFU sent it to the reader.
 *
 * Anchors also check the file: if the wall clock between two anchors disagrees with the RTP clock by
 * more than a jitter tolerance, the sender's clock jumped (a browser that stopped its RTP clock while
 * muted): the file is cut there into *pieces* and each piece is placed by its own anchor, so a pause is
 * a gap, never a shift. Smaller disagreement accumulating over time is the sender's clock drift; it is
 * measured and reported.
 */

export interface Anchor {
  /** Wall-clock milliseconds (Unix epoch) when the SFU sent the packet. */
  wallMs: number;
  /** The packet's RTP timestamp as the reader got it. */
  rtpTs: number;
  /** Taken on a resume after a pause: where the sender's clock may have jumped. */
  resume?: boolean;
}

export interface SegmentMeta {
  /** Relative to the recording's folder. */
  file: string;
  /** When the reader process started. */
  startedAtMs: number;
  /** RTP timestamp of the file's first packet (its time 0); null when no packet ever came. */
  firstRtpTs: number | null;
  /** In the order taken; empty when no packet ever came. */
  anchors: Anchor[];
  endedAtMs: number | null;
  /** How it ended: its stream closed, the recording stopped, or the reader died (the file is cut short). */
  end: 'closed' | 'stopped' | 'crashed' | null;
  /** The reader's process id while it writes: a process that took over from a dead one ends a reader left behind. */
  pid?: number | null;
}

export interface TrackMeta {
  key: string;
  producerId: string;
  peerId: string;
  userId: string;
  displayName: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  /** An interpreter's stream: the language channel; null for the floor. */
  channel: ChannelLanguage | null;
  codec: string;
  clockRate: number;
  segments: SegmentMeta[];
  /** When the sender was paused (muted); `toMs` null while it still is. */
  pauses: { fromMs: number; toMs: number | null }[];
  /** The sender's RTCP sender reports, thinned (see sender-sync.ts); absent in older timelines. */
  senderReports?: SenderReport[];
}

export interface Timeline {
  version: 1;
  recordingId: string;
  roomId: string;
  startedAtMs: number;
  stoppedAtMs: number | null;
  layout: RecordingLayout;
  tracks: TrackMeta[];
  /** The dominant speaker over time (peer id), for speaker view. */
  speakers: { atMs: number; peerId: string }[];
}

/** A stretch of one segment file and where it goes in the output: file time [from, to) plays at output time `at`. */
export interface Piece {
  from: number;
  to: number;
  at: number;
}

/** Disagreement between wall clock and RTP clock beyond which a stream is taken to have jumped (seconds). */
export const JUMP_TOLERANCE_S = 0.25;

const TWO_32 = 2 ** 32;

/**
 * RTP ticks from anchor `a` to anchor `b`: the 32-bit difference, unwrapped to the multiple of 2^32
 * closest to what the wall clock says elapsed (a pause of hours can wrap a 90 kHz clock).
 */
export function ticksBetween(a: Anchor, b: Anchor, clockRate: number): number {
  const raw = (((b.rtpTs - a.rtpTs) % TWO_32) + TWO_32) % TWO_32;
  const wallTicks = ((b.wallMs - a.wallMs) / 1000) * clockRate;
  const wraps = Math.round((wallTicks - raw) / TWO_32);
  return raw + wraps * TWO_32;
}

/**
 * Each anchor's position in the file (seconds from the file's first packet, whose RTP timestamp is
 * `firstRtpTs`) and its offset (wall-clock seconds since `originMs` minus position), in wall-clock order.
 */
export function anchorPositions(anchors: readonly Anchor[], clockRate: number, firstRtpTs: number, originMs = 0): { anchor: Anchor; pos: number; offset: number }[] {
  const sorted = [...anchors].sort((a, b) => a.wallMs - b.wallMs);
  const out: { anchor: Anchor; pos: number; offset: number }[] = [];
  let pos = 0;
  sorted.forEach((anchor, i) => {
    // The first anchor is taken within a second of the first packet: no wrap to resolve.
    pos = i === 0 ? ((((anchor.rtpTs - firstRtpTs) % TWO_32) + TWO_32) % TWO_32) / clockRate : pos + ticksBetween(sorted[i - 1]!, anchor, clockRate) / clockRate;
    out.push({ anchor, pos, offset: (anchor.wallMs - originMs) / 1000 - pos });
  });
  return out;
}

/**
 * Where a segment file's content goes in the output (seconds from the recording's start). `duration`
 * is the file's length as probed. A segment without anchors (no packet ever came) has no pieces.
 *
 * An anchor's offset (wall time minus file time) is the true one plus however late the SFU sent that
 * packet (a busy machine delays packets, never hurries them): each piece is placed by the smallest
 * offset among its anchors. Only on a resume can the sender's clock have jumped: an anchor taken then
 * whose offset differs by more than `tolerance` starts a new piece.
 */
export function segmentPieces(
  segment: Pick<SegmentMeta, 'anchors' | 'firstRtpTs'>,
  clockRate: number,
  recordingStartMs: number,
  duration: number,
  tolerance = JUMP_TOLERANCE_S,
): Piece[] {
  if (segment.firstRtpTs === null || !segment.anchors.length || duration <= 0) return [];
  const positions = anchorPositions(segment.anchors, clockRate, segment.firstRtpTs, recordingStartMs);
  const runs: { from: number; offset: number }[] = [{ from: 0, offset: positions[0]!.offset }];
  for (const { anchor, pos, offset } of positions.slice(1)) {
    if (pos >= duration) break;
    const run = runs.at(-1)!;
    if (anchor.resume && Math.abs(offset - run.offset) > tolerance) runs.push({ from: pos, offset });
    else run.offset = Math.min(run.offset, offset);
  }
  // The file's stretch before a jump ends with the packets that came before it: a clock that jumped
  // ahead left a hole in the file, so placing the next piece earlier overlaps only that hole.
  return runs
    .map((run, i): Piece => ({ from: run.from, to: runs[i + 1]?.from ?? duration, at: run.from + run.offset }))
    .filter((p) => p.to - p.from > 1e-3);
}

/** How far a stream's anchors strayed from one another over a segment, between jumps. */
export interface Drift {
  /** Anchors compared. */
  anchors: number;
  /** The largest spread of offsets within a piece, in milliseconds: delivery delays plus clock drift. */
  spreadMs: number;
  /** The trend of the offsets over time (least squares), in parts per million of elapsed time. */
  ppm: number;
}

export function segmentDrift(segment: Pick<SegmentMeta, 'anchors' | 'firstRtpTs'>, clockRate: number, tolerance = JUMP_TOLERANCE_S): Drift {
  if (segment.firstRtpTs === null || segment.anchors.length < 2) return { anchors: segment.anchors.length, spreadMs: 0, ppm: 0 };
  const positions = anchorPositions(segment.anchors, clockRate, segment.firstRtpTs);
  const runs: { wall: number; offset: number }[][] = [[]];
  let last = positions[0]!.offset;
  for (const p of positions) {
    if (p.anchor.resume && Math.abs(p.offset - last) > tolerance) runs.push([]);
    runs.at(-1)!.push({ wall: p.anchor.wallMs / 1000, offset: p.offset });
    last = p.offset;
  }
  const spread = Math.max(...runs.map((r) => Math.max(...r.map((x) => x.offset)) - Math.min(...r.map((x) => x.offset))));
  const longest = runs.reduce((a, b) => (b.length > a.length ? b : a));
  let ppm = 0;
  if (longest.length >= 2) {
    const mw = longest.reduce((s, x) => s + x.wall, 0) / longest.length;
    const mo = longest.reduce((s, x) => s + x.offset, 0) / longest.length;
    const cov = longest.reduce((s, x) => s + (x.wall - mw) * (x.offset - mo), 0);
    const varw = longest.reduce((s, x) => s + (x.wall - mw) ** 2, 0);
    ppm = varw > 0 ? Math.round((cov / varw) * 1e6) : 0;
  }
  return { anchors: positions.length, spreadMs: Math.round(spread * 10000) / 10, ppm };
}

/** Half-open intervals [from, to) in output seconds. */
export type Interval = [number, number];

/** `intervals` minus `holes`, both sorted or not; the result sorted, without empty intervals. */
export function subtract(intervals: readonly Interval[], holes: readonly Interval[]): Interval[] {
  let out = [...intervals].sort((a, b) => a[0] - b[0]);
  for (const [hFrom, hTo] of holes) {
    out = out.flatMap(([from, to]): Interval[] => {
      if (hTo <= from || hFrom >= to) return [[from, to]];
      const parts: Interval[] = [];
      if (hFrom > from) parts.push([from, hFrom]);
      if (hTo < to) parts.push([hTo, to]);
      return parts;
    });
  }
  return out.filter(([a, b]) => b - a > 1e-3);
}

/** A track's pauses as output intervals, an open one lasting until `end`. */
export function pauseIntervals(track: Pick<TrackMeta, 'pauses'>, recordingStartMs: number, end: number): Interval[] {
  return track.pauses.map((p): Interval => [(p.fromMs - recordingStartMs) / 1000, p.toMs === null ? end : (p.toMs - recordingStartMs) / 1000]);
}

/** A stretch of the output over which the same pictures are shown in the same places. */
export interface Epoch {
  from: number;
  to: number;
  pictures: Picture[];
  speaker: string | null;
}

/**
 * Cuts the output into epochs at every moment a picture appears or goes (and, in speaker view, the
 * speaker changes). `shown` gives each picture's intervals, in the order pictures first appeared.
 * Changes closer than `minEpoch` seconds are merged into the epoch before, so the layout never flickers.
 */
export function epochs(
  shown: readonly { picture: Picture; intervals: readonly Interval[] }[],
  duration: number,
  speakerChanges: readonly { at: number; key: string }[] = [],
  minEpoch = 0.5,
): Epoch[] {
  const cuts = new Set<number>([0, duration]);
  for (const s of shown) for (const [a, b] of s.intervals) for (const t of [a, b]) if (t > 0 && t < duration) cuts.add(t);
  for (const c of speakerChanges) if (c.at > 0 && c.at < duration) cuts.add(c.at);
  const times = [...cuts].sort((a, b) => a - b);
  const order = [...shown].sort((a, b) => (a.intervals[0]?.[0] ?? Infinity) - (b.intervals[0]?.[0] ?? Infinity));
  const speakerAt = (t: number) => [...speakerChanges].reverse().find((c) => c.at <= t)?.key ?? null;
  const out: Epoch[] = [];
  for (let i = 0; i < times.length - 1; i++) {
    const from = times[i]!;
    const to = times[i + 1]!;
    const mid = (from + to) / 2;
    const pictures = order.filter((s) => s.intervals.some(([a, b]) => a <= mid && mid < b)).map((s) => s.picture);
    const epoch = { from, to, pictures, speaker: speakerAt(mid) };
    const last = out.at(-1);
    const same = last && last.speaker === epoch.speaker && last.pictures.map((p) => p.key).join() === pictures.map((p) => p.key).join();
    if (last && (same || to - from < minEpoch)) last.to = to;
    else out.push(epoch);
  }
  return out;
}
