/**
 * What this process knows about ended sessions, so that every socket command can be checked against
 * it without a database round trip. A session revoked here is refused at once; any other session is
 * re-read from the database when its last check is older than `recheckMs` (that catches revocations
 * made by another node or straight in SQL, e.g. an operator deleting an account).
 */
export class RevocationList {
  private readonly revoked = new Map<string, number>();
  private readonly verified = new Map<string, number>();

  constructor(
    private readonly recheckMs: number,
    private readonly now: () => number = () => Date.now(),
    /** Revoked ids are forgotten after this; by then the database answers for them. */
    private readonly keepMs = 3_600_000,
  ) {}

  revoke(sessionIds: Iterable<string>): void {
    const t = this.now();
    for (const id of sessionIds) {
      this.revoked.set(id, t);
      this.verified.delete(id);
    }
    if (this.revoked.size > 10_000) for (const [id, at] of this.revoked) if (t - at > this.keepMs) this.revoked.delete(id);
  }

  /** 'revoked' (refuse), 'fresh' (checked recently: allow) or 'stale' (ask the database, then call `verified`). */
  status(sessionId: string): 'revoked' | 'fresh' | 'stale' {
    if (this.revoked.has(sessionId)) return 'revoked';
    const at = this.verified.get(sessionId);
    return at !== undefined && this.now() - at < this.recheckMs ? 'fresh' : 'stale';
  }

  markVerified(sessionId: string): void {
    if (this.revoked.has(sessionId)) return;
    if (this.verified.size > 50_000) this.verified.clear();
    this.verified.set(sessionId, this.now());
  }
}
