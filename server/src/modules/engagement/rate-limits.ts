import { TokenBucket } from '../realtime/token-bucket';

/**
 * A token bucket per key (a person, a peer). A bucket left alone long enough to refill is the same
 * as a new one, so such buckets are forgotten and the map stays as small as the active crowd.
 */
export class RateLimits {
  private readonly buckets = new Map<string, { bucket: TokenBucket; used: number }>();
  private readonly idleMs: number;
  private lastSweep: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.idleMs = (burst / perSecond) * 1000;
    this.lastSweep = now();
  }

  take(key: string): boolean {
    const t = this.now();
    if (t - this.lastSweep > Math.max(this.idleMs, 10_000)) this.sweep(t);
    let entry = this.buckets.get(key);
    if (!entry) this.buckets.set(key, (entry = { bucket: new TokenBucket(this.burst, this.perSecond, this.now), used: t }));
    entry.used = t;
    return entry.bucket.take();
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(t: number): void {
    this.lastSweep = t;
    for (const [key, e] of this.buckets) if (t - e.used >= this.idleMs) this.buckets.delete(key);
  }
}
