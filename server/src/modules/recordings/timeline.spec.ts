import { anchorPositions, epochs, pauseIntervals, segmentDrift, segmentPieces, subtract, ticksBetween } from './timeline';

const START = 1_700_000_000_000;
const OPUS = 48_000;
const VP8 = 90_000;
/** An anchor `s` seconds after START whose RTP timestamp is `ts`. */
const at = (s: number, ts: number) => ({ wallMs: START + s * 1000, rtpTs: ts >>> 0 });

describe('track timeline', () => {
  it('counts RTP ticks between anchors across a 32-bit wrap', () => {
    expect(ticksBetween(at(0, 0xffff_ff00), at(0.01, 0x0000_0100), OPUS)).toBe(0x200);
    expect(ticksBetween(at(0, 1000), at(1, 1000 + OPUS), OPUS)).toBe(OPUS);
  });

  it('unwraps a long pause to the number of wraps the wall clock says', () => {
    // Seven hours at 90 kHz is 2.27e9 ticks: more than half of 2^32, so only the wall clock can tell.
    const hours = 7 * 3600;
    const ticks = hours * VP8;
    expect(ticksBetween(at(0, 5), at(hours, 5 + ticks), VP8)).toBe(ticks);
    const day = 20 * 3600;
    expect(ticksBetween(at(0, 5), at(day, 5 + day * VP8), VP8)).toBe(day * VP8);
  });

  it('positions anchors in the file by their RTP time, in wall-clock order', () => {
    const positions = anchorPositions([at(2, 3 * OPUS), at(0, 0), at(1, OPUS)], OPUS);
    expect(positions.map((p) => p.pos)).toEqual([0, 1, 3]);
  });

  it('places a file by its first packet', () => {
    expect(segmentPieces({ anchors: [at(2.5, 777)] }, OPUS, START, 10)).toEqual([{ from: 0, to: 10, at: 2.5 }]);
  });

  it('keeps one piece while the RTP clock follows the wall clock within the jitter tolerance', () => {
    // Muted 3 s in the middle, RTP clock running on (what browsers do): the file has the gap itself.
    const anchors = [at(1, 0), at(4, 3 * OPUS + 480), at(10, 9 * OPUS - 960), at(20, 19 * OPUS + 4800)];
    expect(segmentPieces({ anchors }, OPUS, START, 19.2)).toEqual([{ from: 0, to: 19.2, at: 1 }]);
  });

  it('cuts a file where the sender clock stood still during a pause, so the pause is a gap, not a shift', () => {
    // Sent 0-4 s, muted until 9 s, and the RTP clock did not run meanwhile: file time 4 s is wall time 9 s.
    const anchors = [at(1, 0), at(3, 2 * OPUS), at(10, 4 * OPUS)];
    expect(segmentPieces({ anchors }, OPUS, START, 8)).toEqual([
      { from: 0, to: 4, at: 1 },
      { from: 4, to: 8, at: 10 },
    ]);
  });

  it('places a piece after a clock that jumped ahead at its own time, over the hole the jump left', () => {
    const anchors = [at(0, 0), at(2, 5 * OPUS)];
    expect(segmentPieces({ anchors }, OPUS, START, 7)).toEqual([
      { from: 0, to: 5, at: 0 },
      { from: 5, to: 7, at: 2 },
    ]);
  });

  it('ignores anchors beyond the end of a file cut short, and files without packets', () => {
    expect(segmentPieces({ anchors: [at(0, 0), at(30, 20 * OPUS)] }, OPUS, START, 4)).toEqual([{ from: 0, to: 4, at: 0 }]);
    expect(segmentPieces({ anchors: [] }, OPUS, START, 4)).toEqual([]);
    expect(segmentPieces({ anchors: [at(0, 0)] }, OPUS, START, 0)).toEqual([]);
  });

  it('measures the drift of a sender clock against the wall clock', () => {
    // 100 ppm slow over 60 s: 6 ms.
    const anchors = [at(0, 0), at(30, 30 * OPUS * (1 - 1e-4)), at(60, 60 * OPUS * (1 - 1e-4))].map((a) => ({ ...a, rtpTs: Math.round(a.rtpTs) }));
    const drift = segmentDrift({ anchors }, OPUS);
    expect(drift.anchors).toBe(3);
    expect(drift.maxMs).toBeCloseTo(6, 0);
    expect(drift.ppm).toBeCloseTo(100, -1);
    expect(segmentDrift({ anchors: [at(0, 0)] }, OPUS)).toEqual({ anchors: 1, maxMs: 0, ppm: 0 });
  });

  it('measures drift from the last jump on', () => {
    const anchors = [at(0, 0), at(10, 4 * OPUS), at(20, 14 * OPUS + 48)];
    expect(segmentDrift({ anchors }, OPUS).maxMs).toBeCloseTo(-1, 0);
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
        { picture: { key: 's', kind: 'screen' }, intervals: [[10, 20], [20.2, 25]] },
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
