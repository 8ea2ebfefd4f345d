/**
 * How many preservation packages a node builds at once. A package reads every file of a recording
 * twice (checked against its stored hash before the first byte, hashed again as it streams), so a
 * node builds a few at a time and each requester one at a time; the others are refused with
 * RATE_LIMITED at once rather than queued behind them.
 */
export class ExportGate {
  private readonly byRequester = new Map<string, number>();
  private running = 0;

  constructor(private readonly limits: { total: number; perRequester: number }) {}

  /** A release function when `requester` may start one now (call it once the package ended), else null. */
  enter(requester: string): (() => void) | null {
    const theirs = this.byRequester.get(requester) ?? 0;
    if (this.running >= this.limits.total || theirs >= this.limits.perRequester) return null;
    this.running++;
    this.byRequester.set(requester, theirs + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      const left = (this.byRequester.get(requester) ?? 1) - 1;
      if (left > 0) this.byRequester.set(requester, left);
      else this.byRequester.delete(requester);
    };
  }

  /** Packages being built now. */
  get size(): number {
    return this.running;
  }
}
