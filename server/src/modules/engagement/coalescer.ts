/**
 * Publishes the latest state of a thing (a question, a poll's counts) after it changes. While a
 * publish for a key is running, further requests fold into one more run after it, so concurrent
 * changes never emit an older state after a newer one, and a burst costs at most two reads.
 * `gapMs` spaces runs of the same key (a throttle for live counts).
 */
export class Coalescer {
  private readonly dirty = new Map<string, boolean>();

  constructor(
    private readonly onError: (err: unknown) => void,
    private readonly gapMs = 0,
  ) {}

  request(key: string, publish: () => Promise<void>): void {
    if (this.dirty.has(key)) {
      this.dirty.set(key, true);
      return;
    }
    this.dirty.set(key, false);
    void this.run(key, publish);
  }

  private async run(key: string, publish: () => Promise<void>): Promise<void> {
    do {
      this.dirty.set(key, false);
      await publish().catch(this.onError);
      if (this.gapMs > 0) await new Promise((r) => setTimeout(r, this.gapMs).unref());
    } while (this.dirty.get(key));
    this.dirty.delete(key);
  }
}
