import { anchorPositions, epochs, pauseIntervals, segmentDrift, segmentPieces, subtract, ticksBetween } from './timeline';

const START = 1_700_000_000_000;
const OPUS = 48_000;
const VP8 = 90_000;
/** An anchor `s` seconds after START whose RTP timestamp is `ts`. */
const at = (s: number, ts: number, resume = false) => ({ wallMs: START + s * 1000, rtpTs: ts >>> 0, ...(resume ? { resume } : {}) });
/** A segment whose first packet had RTP timestamp 0. */
const seg = (...anchors: ReturnType<typeof at>[]) => ({ firstRtpTs: 0, anchors });

describe('track timeline', () => {
  it('counts RTP ticks between anchors across a 32-bit wrap', () => {
    expect(ticksBetween(at(0, 0xffff_ff00), at(0.01, 0x0000_0100), OPUS)).toBe(0x200);
    expect(ticksBetween(at(0, 1000), at(1, 1000 + OPUS), OPUS)).toBe(OPUS);
  });

  it('unwraps a long pause to the number of wraps the wall clock says', () => {
    // Seven hours at 90 kHz is 2.27e9 ticks: more than half of 2^32, so only the wall clock can tell.
    const hours = 7 * 3600;
    expect(ticksBetween(at(0, 5), at(hours, 5 + hours * VP8), VP8)).toBe(hours * VP8);
    const day = 20 * 3600;
    expect(ticksBetween(at(0, 5), at(day, 5 + day * VP8), VP8)).toBe(day * VP8);
  });

  it('positions anchors from the first packet of the file, in wall-clock order, with their offsets', () => {
    const positions = anchorPositions([at(2, 3 * OPUS), at(0.5, OPUS / 2), at(1, OPUS)], OPUS, 0, START);
    expect(positions.map((p) => [p.pos, p.offset])).toEqual([
      [0.5, 0],
      [1, 0],
      [3, -1],
    ]);
    // The first packet before a wrap, the first anchor after it.
    expect(anchorPositions([at(0, 0x100)], OPUS, 0xffff_ff00)[0]!.pos).toBeCloseTo(0x200 / OPUS);
  });

  it('places a file by its first packet', () => {
    expect(segmentPieces(seg(at(2.5, 0)), OPUS, START, 10)).toEqual([{ from: 0, to: 10, at: 2.5 }]);
    // An anchor taken a little after the first packet places it just the same.
    expect(segmentPieces({ firstRtpTs: 777, anchors: [at(2.75, 777 + OPUS / 4)] }, OPUS, START, 10)).toEqual([{ from: 0, to: 10, at: 2.5 }]);
  });

  it('places by the least delayed anchor: a busy SFU sends late, never early', () => {
    // The first packet left 300 ms late; later anchors show when the stream really ran.
    const anchors = [at(1.3, 0), at(11.02, 10 * OPUS), at(21.0, 20 * OPUS)];
    const [piece] = segmentPieces(seg(...anchors), OPUS, START, 25);
    expect(piece!.at).toBeCloseTo(1.0, 6);
  });

  it('keeps one piece while the RTP clock runs on through a pause (what browsers do): the file has the gap', () => {
    const anchors = [at(1, 0), at(4, 3 * OPUS + 480, true), at(10, 9 * OPUS - 960), at(20, 19 * OPUS + 4800)];
    expect(segmentPieces(seg(...anchors), OPUS, START, 19.2)).toEqual([{ from: 0, to: 19.2, at: expect.closeTo(0.9, 6) }]);
  });

  it('cuts a file where the sender clock stood still during a pause, so the pause is a gap, not a shift', () => {
    // Sent 1-5 s, muted until 10 s with the RTP clock standing still: file time 4 s is wall time 10 s.
    const anchors = [at(1, 0), at(3, 2 * OPUS), at(10, 4 * OPUS, true), at(12, 6 * OPUS)];
    expect(segmentPieces(seg(...anchors), OPUS, START, 8)).toEqual([
      { from: 0, to: 4, at: 1 },
      { from: 4, to: 8, at: 10 },
    ]);
  });

  it('does not cut where an anchor is only late (no resume there): it is a delay, not a jump', () => {
    const anchors = [at(1, 0), at(11.6, 10 * OPUS), at(21, 20 * OPUS)];
    expect(segmentPieces(seg(...anchors), OPUS, START, 25)).toEqual([{ from: 0, to: 25, at: 1 }]);
  });

  it('places a piece after a clock that jumped ahead at its own time, over the hole the jump left', () => {
    const anchors = [at(0, 0), at(2, 5 * OPUS, true)];
    expect(segmentPieces(seg(...anchors), OPUS, START, 7)).toEqual([
      { from: 0, to: 5, at: 0 },
      { from: 5, to: 7, at: 2 },
    ]);
  });

  it('ignores anchors beyond the end of a file cut short, and files without packets', () => {
    expect(segmentPieces(seg(at(0, 0), at(30, 20 * OPUS, true)), OPUS, START, 4)).toEqual([{ from: 0, to: 4, at: 0 }]);
    expect(segmentPieces({ firstRtpTs: null, anchors: [] }, OPUS, START, 4)).toEqual([]);
    expect(segmentPieces(seg(at(0, 0)), OPUS, START, 0)).toEqual([]);
  });

  it('measures the spread of the anchors and the drift of a sender clock against the wall clock', () => {
    // 100 ppm slow over 60 s: 6 ms.
    const anchors = [0, 20, 40, 60].map((s) => at(s, Math.round(s * OPUS * (1 - 1e-4))));
    const drift = segmentDrift(seg(...anchors), OPUS);
    expect(drift.anchors).toBe(4);
    expect(drift.spreadMs).toBeCloseTo(6, 0);
    expect(drift.ppm).toBeCloseTo(100, -1);
    expect(segmentDrift(seg(at(0, 0)), OPUS)).toEqual({ anchors: 1, spreadMs: 0, ppm: 0 });
  });

  it('measures the spread from the last jump on', () => {
    const anchors = [at(0, 0), at(10, 4 * OPUS, true), at(20, 14 * OPUS + 48)];
    expect(segmentDrift(seg(...anchors), OPUS).spreadMs).toBeCloseTo(1, 0);
  });

  it('subtracts pauses from the intervals a picture is shown', () => {
    expect(
      subtract(
        [
          [0, 10],
          [12, 20],
        ],
        [
          [3, 4],
          [9, 13],
        ],
      ),
    ).toEqual([
      [0, 3],
      [4, 9],
      [13, 20],
    ]);
    expect(pauseIntervals({ pauses: [{ fromMs: START + 2000, toMs: null }] }, START, 30)).toEqual([[2, 30]]);
  });

  it('cuts the output into epochs where pictures come and go, merging flickers', () => {
    const cut = epochs(
      [
        { picture: { key: 'b', kind: 'camera' }, intervals: [[5, 30]] },
        { picture: { key: 'a', kind: 'camera' }, intervals: [[0, 30]] },
        {
          picture: { key: 's', kind: 'screen' },
          intervals: [
            [10, 20],
            [20.2, 25],
          ],
        },
      ],
      30,
    );
    expect(cut.map((e) => [e.from, e.to, e.pictures.map((p) => p.key).join('')])).toEqual([
      [0, 5, 'a'],
      [5, 10, 'ab'],
      // The 0.2 s without the share is too short to change the layout for.
      [10, 25, 'abs'],
      [25, 30, 'ab'],
    ]);
  });

  it('starts a new epoch when the speaker changes', () => {
    const cut = epochs([{ picture: { key: 'a', kind: 'camera' }, intervals: [[0, 10]] }], 10, [
      { at: 0, key: 'a' },
      { at: 4, key: 'b' },
    ]);
    expect(cut.map((e) => [e.from, e.to, e.speaker])).toEqual([
      [0, 4, 'a'],
      [4, 10, 'b'],
    ]);
  });
});
