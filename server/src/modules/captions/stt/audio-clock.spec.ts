import { AudioClock } from './audio-clock';

describe('audio clock', () => {
  it('maps recogniser times to when the audio was heard, across a muted gap', () => {
    const clock = new AudioClock(16_000);
    // 1 s of audio in 100 ms chunks from t=10 000, then the mic is muted for 5 s, then 1 s more.
    for (let i = 1; i <= 10; i++) clock.fed(1600, 10_000 + i * 100);
    for (let i = 1; i <= 10; i++) clock.fed(1600, 16_000 + i * 100);
    expect(clock.wallAt(0)).toBeCloseTo(10_000, 6);
    expect(clock.wallAt(0.55)).toBeCloseTo(10_550, 6);
    // 1.2 s into the stream is 0.2 s into the second stretch, which began at 16 000.
    expect(clock.wallAt(1.2)).toBeCloseTo(16_200, 6);
    expect(clock.wallAt(2.5)).toBeCloseTo(17_500, 6);
  });

  it('answers NaN before any audio and clamps negative times', () => {
    const clock = new AudioClock(16_000);
    expect(clock.wallAt(1)).toBeNaN();
    clock.fed(16_000, 5_000);
    expect(clock.wallAt(-3)).toBeCloseTo(4_000, 6);
  });

  it('forgets old marks but keeps answering for recent times', () => {
    const clock = new AudioClock(1_000, 2_000);
    for (let i = 1; i <= 100; i++) clock.fed(100, i * 100);
    expect(clock.wallAt(9.95)).toBeCloseTo(9_950, 6);
    expect(clock.wallAt(8.5)).toBeCloseTo(8_500, 6);
  });
});
