import type { z } from 'zod';
import { HTTP_STATUS, type ErrorBody, type ErrorCode } from '../contract';

/** The one error type domain code throws. Its message is safe to show; anything else is INTERNAL. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: unknown,
  ) {
    super(message ?? code);
  }

  get status(): number {
    return HTTP_STATUS[this.code];
  }
}

export const invalidPayload = (error: z.ZodError): AppError =>
  new AppError(
    'INVALID_PAYLOAD',
    'The request does not match the expected shape.',
    error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.'), message: i.message, code: i.code })),
  );

/** Internal errors never leak their message; the caller logs the original. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof AppError) {
    return err.details === undefined ? { code: err.code, message: err.message } : { code: err.code, message: err.message, details: err.details };
  }
  if (isDatabaseUnavailable(err)) return { code: 'UNAVAILABLE', message: 'The service is temporarily unavailable. Try again.' };
  return { code: 'INTERNAL', message: 'Something went wrong on our side.' };
}

/** Connection-level PostgreSQL failures: the database is down or restarting, not a bad request. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string; driverError?: { code?: string } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === '57P01' || // admin_shutdown
    code === '57P03' || // cannot_connect_now
    code === '08006' ||
    code === '08001' ||
    /Connection terminated|connection timeout|not queryable|Client has encountered a connection error/i.test(e?.message ?? '')
  );
}

/** PostgreSQL unique_violation, for turning a lost race into a domain error. */
export const isUniqueViolation = (err: unknown, constraint?: string): boolean => {
  const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const d = e?.driverError ?? e;
  return d?.code === '23505' && (constraint === undefined || d.constraint === constraint);
};
