/**
 * Fixed-window counters for sign-in, sign-up and password-reset attempts, kept in this process's
 * memory. Two keys are charged for each attempt: the client's address (so one machine cannot try
 * many accounts) and the e-mail address tried (so one account cannot be guessed at from many
 * machines). Refreshing a session that is already open is not an attempt and is never counted: a
 * whole library network opening Quorum at once must not lock anyone out.
 */
export interface AttemptRule {
  /** Attempts allowed per window. */
  limit: number;
  windowMs: number;
}

export type AttemptVerdict = { ok: true } | { ok: false; retryAfterMs: number };

export class AttemptCounter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly rule: AttemptRule,
    private readonly now: () => number = () => Date.now(),
    /** Beyond this many keys, windows that have ended are swept out before a new key is added. */
    private readonly sweepAbove = 10_000,
  ) {}

  /** Counts one attempt for `key`, refused (and not counted) once the window's allowance is spent. */
  take(key: string): AttemptVerdict {
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || w.resetAt <= t) {
      if (!w && this.windows.size >= this.sweepAbove) this.sweep(t);
      w = { count: 0, resetAt: t + this.rule.windowMs };
      this.windows.set(key, w);
    }
    if (w.count >= this.rule.limit) return { ok: false, retryAfterMs: w.resetAt - t };
    w.count++;
    return { ok: true };
  }

  /** Whether `key` has attempts left, without spending one. */
  peek(key: string): AttemptVerdict {
    const t = this.now();
    const w = this.windows.get(key);
    if (!w || w.resetAt <= t || w.count < this.rule.limit) return { ok: true };
    return { ok: false, retryAfterMs: w.resetAt - t };
  }

  get size(): number {
    return this.windows.size;
  }

  private sweep(t: number): void {
    for (const [key, w] of this.windows) if (w.resetAt <= t) this.windows.delete(key);
  }
}

/**
 * Both checks for one attempt. The account's allowance is looked at first and the address's is spent
 * only when the account still has one, so that a locked account does not also use up its network's.
 */
export function takeAttempt(byAddress: AttemptCounter, byAccount: AttemptCounter, address: string, account: string | null): AttemptVerdict {
  if (account !== null) {
    const a = byAccount.peek(account);
    if (!a.ok) return a;
  }
  const ip = byAddress.take(address);
  if (!ip.ok) return ip;
  return account === null ? ip : byAccount.take(account);
}
