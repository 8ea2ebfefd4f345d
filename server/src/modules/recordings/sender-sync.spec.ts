import { keepReport, ntpToUnixMs, type SenderReport, syncToSenders } from './sender-sync';
import { segmentPieces, type Timeline, type TrackMeta } from './timeline';

const START = 1_700_000_000_000;
const OPUS = 48_000;
const VP8 = 90_000;
/** The sender's clock runs 40 minutes ahead of the SFU's (browsers' clocks are their own). */
const SKEW_MS = 40 * 60_000;

/**
 * One sender: sound captured at sender time T has RTP timestamp aBase + T·48k, video aBase-like per
 * layer. Each anchor is what the SFU saw: a packet captured at `s` seconds (sender clock minus skew),
 * arriving `lateMs` later.
 */
function track(key: string, kind: 'audio' | 'video', peerId: string, opts: { base: number; lateMs: number[]; reports: SenderReport[] }): TrackMeta {
  const rate = kind === 'audio' ? OPUS : VP8;
  const anchors = opts.lateMs.map((late, i) => {
    const captured = i * 10; // seconds after START
    return { wallMs: START + captured * 1000 + late, rtpTs: (opts.base + captured * rate) >>> 0 };
  });
  return {
    key,
    producerId: key,
    peerId,
    userId: '',
    displayName: '',
    kind,
    source: kind === 'audio' ? 'mic' : 'camera',
    channel: null,
    codec: kind === 'audio' ? 'audio/opus' : 'video/VP8',
    clockRate: rate,
    segments: [{ file: `${key}.mkv`, startedAtMs: START, firstRtpTs: opts.base >>> 0, anchors, endedAtMs: null, end: null }],
    pauses: [],
    senderReports: opts.reports,
  };
}

/** A sender report of `ssrc` at sender second `s`, for a stream whose RTP time 0 was at sender second 0 + base. */
const report = (ssrc: number, s: number, base: number, rate: number): SenderReport => ({ ssrc, ntpMs: START + SKEW_MS + s * 1000, rtpTs: (base + s * rate) >>> 0 });

const timeline = (tracks: TrackMeta[]): Timeline => ({ version: 1, recordingId: 'r', roomId: 'room', startedAtMs: START, stoppedAtMs: null, layout: 'grid', tracks, speakers: [] });
const placedAt = (t: TrackMeta) => segmentPieces(t.segments[0]!, t.clockRate, START, 60)[0]!.at;

describe('lip sync from the senders’ reports', () => {
  const AUDIO_BASE = 123_456;
  const VIDEO_BASE = 0xffff_0000; // wraps within the minute
  const OTHER_LAYER_BASE = 987_654_321;
  const mic = () =>
    track('mic', 'audio', 'ada', { base: AUDIO_BASE, lateMs: [30, 25, 40, 20], reports: [0, 5, 10, 15, 20, 25, 30].map((s) => report(1, s, AUDIO_BASE, OPUS)) });
  // The camera's packets come 40 ms (encoding, pacing) plus jitter after their capture.
  const camera = (reports = [0, 5, 10, 15, 20, 25, 30].flatMap((s) => [report(2, s, VIDEO_BASE, VP8), report(3, s, OTHER_LAYER_BASE, VP8)])) =>
    track('camera', 'video', 'ada', { base: VIDEO_BASE, lateMs: [60, 40, 90, 50], reports });

  it('puts a camera that arrives late back against its sound', () => {
    const before = timeline([mic(), camera()]);
    // By arrival, the picture is 20 ms late against the sound.
    expect(placedAt(before.tracks[1]!) - placedAt(before.tracks[0]!)).toBeCloseTo(0.02, 3);
    const { timeline: after, sync } = syncToSenders(before);
    // On the sender's clock they start together, placed by the quickest packet (the sound's 20 ms).
    expect(placedAt(after.tracks[0]!)).toBeCloseTo(0.02, 3);
    expect(placedAt(after.tracks[1]!)).toBeCloseTo(0.02, 3);
    expect(sync.peers).toEqual([{ peerId: 'ada', tracks: [{ key: 'mic', movedMs: -5 }, { key: 'camera', movedMs: -30 }] }]);
    // The input is left as it was.
    expect(placedAt(before.tracks[1]!)).toBeCloseTo(0.04, 3);
  });

  it('leaves a sender without reports, or a layer that agrees with nothing, as it arrived', () => {
    const noReports = syncToSenders(timeline([{ ...mic(), senderReports: undefined }, { ...camera(), senderReports: [] }]));
    expect(noReports.sync.peers).toEqual([]);
    expect(placedAt(noReports.timeline.tracks[1]!)).toBeCloseTo(0.04, 3);
    // Only the other layer's reports: its RTP origin says nothing about this stream.
    const wrongLayer = syncToSenders(timeline([mic(), camera([0, 10, 20].map((s) => report(3, s, OTHER_LAYER_BASE, VP8)))]));
    expect(wrongLayer.sync.peers[0]!.tracks.map((t) => t.key)).toEqual(['mic']);
    expect(placedAt(wrongLayer.timeline.tracks[1]!)).toBeCloseTo(0.04, 3);
  });

  it('does not follow reports that would move a sender’s tracks apart by more than a capture path explains', () => {
    // A relay stamping each stream's reports from its own first packet: the camera's 400 ms off.
    const relayed = camera();
    relayed.senderReports = relayed.senderReports!.map((r) => ({ ...r, ntpMs: r.ntpMs - 400 }));
    const { timeline: after, sync } = syncToSenders(timeline([mic(), relayed]));
    expect(sync.peers).toEqual([]);
    expect(placedAt(after.tracks[1]!)).toBeCloseTo(0.04, 3);
  });

  it('keeps each sender on its own clock', () => {
    const bo = (t: TrackMeta): TrackMeta => ({ ...t, key: `bo-${t.key}`, peerId: 'bo' });
    const boMic = bo(mic());
    // Bo's clock is another hour off: reports shifted, anchors not.
    boMic.senderReports = boMic.senderReports!.map((r) => ({ ...r, ntpMs: r.ntpMs + 3_600_000 }));
    const { timeline: after } = syncToSenders(timeline([mic(), camera(), boMic]));
    expect(placedAt(after.tracks[2]!)).toBeCloseTo(0.02, 3);
  });

  it('converts NTP time and thins reports to one per SSRC every few seconds', () => {
    expect(ntpToUnixMs(2_208_988_800 + 1_700_000_000, 2 ** 31)).toBe(1_700_000_000_500);
    const kept: SenderReport[] = [];
    const at = (ssrc: number, ms: number) => keepReport(kept, { ssrc, ntpMs: ms, rtpTs: 0 });
    expect([at(1, 0), at(1, 1000), at(2, 1000), at(1, 5000), at(1, 4000)]).toEqual([true, false, true, true, true]);
    expect(kept.map((r) => [r.ssrc, r.ntpMs])).toEqual([
      [1, 0],
      [2, 1000],
      [1, 5000],
      [1, 4000],
    ]);
  });
});
