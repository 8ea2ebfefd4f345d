import type { Anchor, Timeline, TrackMeta } from './timeline';

/**
 * Lip sync from the senders' own clocks: what it would take, measured and reported.
 *
 * Anchors say when the SFU *sent* a packet on. A browser's video reaches the SFU later than its sound
 * of the same instant (encoding a frame, pacing its packets out), so tracks placed by arrival alone
 * may put a picture late against its sound. Every sender also says what its RTP timestamps mean on
 * its own wall clock: the RTCP sender reports (NTP time ↔ RTP time, per SSRC), the same clock for its
 * audio and its video. `syncToSenders` moves each anchor onto the sender's clock and brings the whole
 * sender onto the SFU's by one offset, the smallest seen (the packet that came through quickest).
 *
 * Composition does not follow it yet; it reports how far it would move each track. Measured here:
 * browsers' tracks 1–32 ms, while an FFmpeg sender (which stamps each stream's reports from its own
 * first packet) would have been moved 125–210 ms out of sync, and a bound on the moves did not tell
 * the two apart reliably.
 *
 * A simulcast stream has a report per layer, each with its own RTP clock origin; the recorded stream is
 * expressed in one of them (the SFU shifts the others onto it). The right one is recognised because its
 * prediction agrees with the sender's other tracks; one that does not (or a sender without reports)
 * is left as it was. Reports that would move a sender's tracks apart by more than MAX_CORRECTION_MS
 * are not followed.
 */

/** One RTCP sender report as the SFU received it. */
export interface SenderReport {
  ssrc: number;
  /** The sender's wall clock, Unix epoch milliseconds (from its NTP timestamp). */
  ntpMs: number;
  rtpTs: number;
}

/** Seconds between the NTP epoch (1900) and the Unix epoch (1970). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;

/** An NTP timestamp (seconds, 2^-32 fractions) as Unix epoch milliseconds. */
export function ntpToUnixMs(ntpSec: number, ntpFrac: number): number {
  return (ntpSec - NTP_UNIX_OFFSET_S) * 1000 + (ntpFrac / 2 ** 32) * 1000;
}

/** Reports kept per SSRC: one every this often is plenty (a sender's clock does not wander faster). */
export const REPORT_EVERY_MS = 5_000;
/**
 * The most a sender's reports may move its tracks against one another to be taken as its capture
 * clock: encoding and pacing hold a browser's picture back by tens of milliseconds; reports that say
 * more (FFmpeg's, 140–370 ms apart) do not describe one.
 */
export const MAX_CORRECTION_MS = 50;
/** A video packet may reach the SFU at most this much later than its sender's quickest packet. */
const MAX_LATENESS_MS = 3_000;
/** …and not noticeably earlier (reports and anchors are taken milliseconds apart). */
const MAX_EARLINESS_MS = 250;

/** Keeps `report` unless one of the same SSRC was kept less than REPORT_EVERY_MS before it. */
export function keepReport(reports: SenderReport[], report: SenderReport): boolean {
  const last = reports.findLast((r) => r.ssrc === report.ssrc);
  if (last && report.ntpMs - last.ntpMs < REPORT_EVERY_MS && report.ntpMs >= last.ntpMs) return false;
  reports.push(report);
  return true;
}

/** The sender's time (epoch ms) of RTP timestamp `rtpTs`, from the report of `ssrc` nearest to it. */
function senderTime(track: TrackMeta, ssrc: number, rtpTs: number): number | null {
  let best: { report: SenderReport; ticks: number } | null = null;
  for (const report of track.senderReports ?? []) {
    if (report.ssrc !== ssrc) continue;
    const ticks = (rtpTs - report.rtpTs) | 0;
    if (!best || Math.abs(ticks) < Math.abs(best.ticks)) best = { report, ticks };
  }
  return best ? best.report.ntpMs + (best.ticks / track.clockRate) * 1000 : null;
}

const ssrcsOf = (track: TrackMeta) => [...new Set((track.senderReports ?? []).map((r) => r.ssrc))];

/** For each anchor of `track`: (wall - sender time) per SSRC that has reports. */
function lateness(track: TrackMeta, anchor: Anchor): { ssrc: number; ms: number; senderMs: number }[] {
  return ssrcsOf(track).flatMap((ssrc) => {
    const senderMs = senderTime(track, ssrc, anchor.rtpTs);
    return senderMs === null ? [] : [{ ssrc, ms: anchor.wallMs - senderMs, senderMs }];
  });
}

export interface SenderSync {
  /** Peers whose tracks were put on their own clock, with how much each track moved (ms, median). */
  peers: { peerId: string; tracks: { key: string; movedMs: number }[] }[];
}

/**
 * The timeline with anchors moved onto the senders' clocks where their reports allow (see above); the
 * input is not changed. Tracks of senders without usable reports are returned as they were.
 */
export function syncToSenders(timeline: Timeline): { timeline: Timeline; sync: SenderSync } {
  const byPeer = new Map<string, TrackMeta[]>();
  for (const t of timeline.tracks) byPeer.set(t.peerId, [...(byPeer.get(t.peerId) ?? []), t]);
  const moved = new Map<string, Anchor[][]>();
  const peers: SenderSync['peers'] = [];
  for (const [peerId, tracks] of byPeer) {
    // The reference: the sender's sound (one SSRC), its quickest packet. Without sound, a single-SSRC track.
    const reference = (t: TrackMeta) => ssrcsOf(t).length === 1;
    const refTracks = tracks.filter((t) => t.kind === 'audio' && reference(t));
    const basis = refTracks.length ? refTracks : tracks.filter(reference);
    const refLateness = basis.flatMap((t) => t.segments.flatMap((s) => s.anchors.flatMap((a) => lateness(t, a).map((l) => l.ms))));
    if (!refLateness.length) continue;
    const ref = Math.min(...refLateness);
    // Every anchor on the sender's clock, through the SSRC that agrees with the reference.
    const onClock = new Map<string, ({ senderMs: number; ms: number } | null)[][]>();
    let offset = Infinity;
    for (const t of tracks) {
      const perSegment = t.segments.map((s) =>
        s.anchors.map((a) => {
          const candidates = lateness(t, a).filter((l) => l.ms - ref >= -MAX_EARLINESS_MS && l.ms - ref <= MAX_LATENESS_MS);
          const pick = candidates.reduce<(typeof candidates)[number] | null>((b, c) => (b === null || c.ms < b.ms ? c : b), null);
          if (pick) offset = Math.min(offset, pick.ms);
          return pick;
        }),
      );
      onClock.set(t.key, perSegment);
    }
    if (!Number.isFinite(offset)) continue;
    const summary: SenderSync['peers'][number] = { peerId, tracks: [] };
    for (const t of tracks) {
      const perSegment = onClock.get(t.key)!;
      // A track is moved only when every anchor of it could be: half-moved segments would tear.
      if (perSegment.some((seg) => seg.some((p) => p === null)) || !perSegment.some((seg) => seg.length)) continue;
      const shifts: number[] = [];
      moved.set(
        t.key,
        t.segments.map((s, i) =>
          s.anchors.map((a, k) => {
            const wallMs = perSegment[i]![k]!.senderMs + offset;
            shifts.push(wallMs - a.wallMs);
            return { ...a, wallMs };
          }),
        ),
      );
      shifts.sort((a, b) => a - b);
      summary.tracks.push({ key: t.key, movedMs: Math.round(shifts[Math.floor(shifts.length / 2)]!) });
    }
    const moves = summary.tracks.map((t) => t.movedMs);
    if (moves.length && Math.max(...moves) - Math.min(...moves) > MAX_CORRECTION_MS) {
      for (const t of summary.tracks) moved.delete(t.key);
      continue;
    }
    if (summary.tracks.length) peers.push(summary);
  }
  const tracks = timeline.tracks.map((t) => {
    const anchors = moved.get(t.key);
    return anchors ? { ...t, segments: t.segments.map((s, i) => ({ ...s, anchors: anchors[i]! })) } : t;
  });
  return { timeline: { ...timeline, tracks }, sync: { peers } };
}
