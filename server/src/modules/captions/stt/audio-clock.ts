/**
 * When a sample of a stream was heard. Audio reaches the recogniser only while the speaker's microphone
 * sends (a muted microphone sends nothing, and nothing is decoded), so a recogniser's times, counted in
 * samples fed, drift from the clock. Each chunk fed is noted with the wall time it arrived; a
 * recogniser time is turned back into wall time from the chunk that holds it.
 */
export class AudioClock {
  /** Chunks as [first sample, wall ms], in order. */
  private marks: [number, number][] = [];
  private samples = 0;

  constructor(
    private readonly sampleRate: number,
    /** Marks older than this many samples behind the newest are forgotten (an utterance is shorter). */
    private readonly keepSamples = sampleRate * 600,
  ) {}

  /** A chunk of `samples` samples arrived at `wallMs`; the chunk's last sample was heard then. */
  fed(samples: number, wallMs: number): void {
    if (samples <= 0) return;
    this.marks.push([this.samples, wallMs - (samples / this.sampleRate) * 1000]);
    this.samples += samples;
    const horizon = this.samples - this.keepSamples;
    let drop = 0;
    while (drop < this.marks.length - 1 && this.marks[drop + 1]![0] <= horizon) drop++;
    if (drop) this.marks = this.marks.slice(drop);
  }

  /** Wall time of the sample at `seconds` into the stream (before the first chunk: its start; after the last: extrapolated). */
  wallAt(seconds: number): number {
    const sample = Math.max(0, seconds * this.sampleRate);
    let lo = 0;
    let hi = this.marks.length - 1;
    if (hi < 0) return Number.NaN;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.marks[mid]![0] <= sample) lo = mid;
      else hi = mid - 1;
    }
    const [first, wall] = this.marks[lo]!;
    return wall + ((Math.max(sample, first) - first) / this.sampleRate) * 1000;
  }
}
