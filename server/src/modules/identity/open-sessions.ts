/**
 * "Is this session still open?" for many callers at once: the questions asked within one turn of the
 * event loop are answered by one query. A thousand sockets reconnecting after a restart then cost a
 * few queries instead of a thousand, and none of them waits for a free connection behind the others.
 */
export class OpenSessions {
  private pending = new Map<string, { userId: string; waiters: { resolve: (open: boolean) => void; reject: (e: unknown) => void }[] }>();
  private scheduled = false;

  /** `lookup` answers, for the given session ids, the user of each one that is open. */
  constructor(private readonly lookup: (sessionIds: string[]) => Promise<Map<string, string>>) {}

  isOpen(sessionId: string, userId: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const key = `${sessionId}/${userId}`;
      const entry = this.pending.get(key) ?? { userId, waiters: [] };
      entry.waiters.push({ resolve, reject });
      this.pending.set(key, entry);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    const ids = [...new Set([...batch.keys()].map((k) => k.slice(0, k.indexOf('/'))))];
    try {
      const open = await this.lookup(ids);
      for (const [key, { userId, waiters }] of batch) {
        const answer = open.get(key.slice(0, key.indexOf('/'))) === userId;
        for (const w of waiters) w.resolve(answer);
      }
    } catch (err) {
      for (const { waiters } of batch.values()) for (const w of waiters) w.reject(err);
    }
  }
}
