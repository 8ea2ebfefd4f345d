import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppError } from '../../common/errors';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { AttemptCounter, takeAttempt } from './attempt-limits';

/**
 * The allowance for sign-in, sign-up and password-reset attempts (see attempt-limits.ts). The client's
 * address is the socket's peer, or with TRUST_PROXY the address the reverse proxy reports.
 */
@Injectable()
export class AuthLimiter {
  private readonly byAddress: AttemptCounter;
  private readonly byAccount: AttemptCounter;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.byAddress = new AttemptCounter({ limit: config.authRateLimitPerMinute, windowMs: 60_000 });
    this.byAccount = new AttemptCounter({ limit: config.authRateLimitPerAccount, windowMs: 15 * 60_000 });
  }

  /** RATE_LIMITED when this address or this account (a normalised e-mail address, or a user id) has tried too often. */
  attempt(req: Request, account: string | null): void {
    const verdict = takeAttempt(this.byAddress, this.byAccount, clientAddress(req), account);
    if (!verdict.ok) {
      const retryAfterSeconds = Math.ceil(verdict.retryAfterMs / 1000);
      throw new AppError('RATE_LIMITED', 'Too many attempts. Wait a moment and try again.', { retryAfterSeconds });
    }
  }
}

export const clientAddress = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';
