import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

/** Secrets never reach the log, whatever object they travel in. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'jwtSecret',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.jwtSecret',
  '*.auth.token',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'quorum' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: {
        // Query parameters can hold personal data and sealed values; the statement alone says what failed.
        err: (e: Error) => {
          const out = pino.stdSerializers.err(e) as Record<string, unknown>;
          delete out.parameters;
          delete out.driverError;
          return out;
        },
      },
    },
    destination,
  );
}

/** A request URL fit for the log: no query string (room invite tokens, personal data), no invitation token in the path. */
export const safeUrl = (url: string): string => url.replace(/[?#].*$/s, '').replace(/\/invitations\/[^/]+/, '/invitations/:token');

/** Routes Nest's own log calls into pino, so there is one structured stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}

export const LOGGER = Symbol('LOGGER');
