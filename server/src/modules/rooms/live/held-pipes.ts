/**
 * Producers piped somewhere for as long as someone there uses them: the first `hold` of a producer
 * opens its pipe, every hold is released once, and the last release closes it. A pipe that failed to
 * open is forgotten, so the next hold tries again. Used for a room's other routers on one machine,
 * for an edge node's other routers, and for the pipe from an owner to an edge node.
 */
export class HeldPipes<T> {
  private readonly entries = new Map<string, { piped: Promise<T>; holders: number }>();

  constructor(
    private readonly open: (producerId: string) => Promise<T>,
    private readonly close: (piped: T, producerId: string) => void,
  ) {}

  /** Producers piped or being piped. */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets every pipe without closing it (its router or transport closed, taking the pipes along). */
  clear(): void {
    this.entries.clear();
  }

  /** Resolves once the producer is piped, with the release of this hold; rejects (holding nothing) when piping failed. */
  async hold(producerId: string): Promise<() => void> {
    let entry = this.entries.get(producerId);
    if (!entry) {
      const created = { piped: this.open(producerId), holders: 0 };
      entry = created;
      this.entries.set(producerId, created);
      created.piped.catch(() => {
        if (this.entries.get(producerId) === created) this.entries.delete(producerId);
      });
    }
    entry.holders++;
    const held = entry;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (--held.holders > 0) return;
      if (this.entries.get(producerId) === held) this.entries.delete(producerId);
      void held.piped.then(
        (piped) => this.close(piped, producerId),
        () => undefined,
      );
    };
    try {
      await held.piped;
    } catch (err) {
      release();
      throw err;
    }
    return release;
  }
}
