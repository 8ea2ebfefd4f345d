import type { ChannelLanguage, MediaSource } from '../../contract';
import type { LayoutMode, Picture } from './layout';

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
}

export interface SegmentMeta {
  /** Relative to the recording's folder. */
  file: string;
  /** When the reader process started. */
  startedAtMs: number;
  /** The first one is the file's first packet (timestamp 0 in the file); empty when no packet ever came. */
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
}

export interface Timeline {
  version: 1;
  recordingId: string;
  roomId: string;
  startedAtMs: number;
  stoppedAtMs: number | null;
  layout: LayoutMode;
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

/** Each anchor's position in the file (seconds from the file's first packet), in wall-clock order. */
export function anchorPositions(anchors: readonly Anchor[], clockRate: number): { anchor: Anchor; pos: number }[] {
  const sorted = [...anchors].sort((a, b) => a.wallMs - b.wallMs);
  const out: { anchor: Anchor; pos: number }[] = [];
  let pos = 0;
  sorted.forEach((anchor, i) => {
    if (i > 0) pos += ticksBetween(sorted[i - 1]!, anchor, clockRate) / clockRate;
    out.push({ anchor, pos });
  });
  return out;
}

/**
 * Where a segment file's content goes in the output (seconds from the recording's start). `duration`
 * is the file's length as probed. A segment without anchors (no packet ever came) has no pieces.
 */
export function segmentPieces(segment: Pick<SegmentMeta, 'anchors'>, clockRate: number, recordingStartMs: number, duration: number, tolerance = JUMP_TOLERANCE_S): Piece[] {
  const positions = anchorPositions(segment.anchors, clockRate);
  if (!positions.length || duration <= 0) return [];
  const at = (a: Anchor) => (a.wallMs - recordingStartMs) / 1000;
  const pieces: Piece[] = [{ from: 0, to: duration, at: at(positions[0]!.anchor) }];
  for (const { anchor, pos } of positions.slice(1)) {
    if (pos >= duration) break;
    const current = pieces.at(-1)!;
    const expected = current.at + (pos - current.from);
    const actual = at(anchor);
    if (Math.abs(actual - expected) <= tolerance) continue;
    // The file's stretch before the jump ends with the packets that came before it: a clock that jumped
    // ahead left a hole in the file, so placing the next piece earlier overlaps only that hole.
    current.to = pos;
    pieces.push({ from: pos, to: duration, at: actual });
  }
  return pieces.filter((p) => p.to - p.from > 1e-3);
}

/** How far a stream's RTP clock strayed from the wall clock over a segment, between jumps. */
export interface Drift {
  /** Anchors compared. */
  anchors: number;
  /** The largest disagreement with the first anchor, in milliseconds (positive: the RTP clock ran slow). */
  maxMs: number;
  /** The trend from the first to the last anchor, in parts per million of elapsed time. */
  ppm: number;
}

export function segmentDrift(segment: Pick<SegmentMeta, 'anchors'>, clockRate: number, tolerance = JUMP_TOLERANCE_S): Drift {
  const positions = anchorPositions(segment.anchors, clockRate);
  if (positions.length < 2) return { anchors: positions.length, maxMs: 0, ppm: 0 };
  let base = positions[0]!;
  let maxMs = 0;
  let trend = { wall: 0, error: 0 };
  for (const p of positions.slice(1)) {
    const wall = (p.anchor.wallMs - base.anchor.wallMs) / 1000;
    const error = wall - (p.pos - base.pos);
    // A jump starts a new piece: drift is measured from there on.
    if (Math.abs(error) > tolerance) {
      base = p;
      continue;
    }
    if (Math.abs(error * 1000) > Math.abs(maxMs)) maxMs = error * 1000;
    if (wall > trend.wall) trend = { wall, error };
  }
  return { anchors: positions.length, maxMs: Math.round(maxMs * 10) / 10, ppm: trend.wall > 0 ? Math.round((trend.error / trend.wall) * 1e6) : 0 };
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
