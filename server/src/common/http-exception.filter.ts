import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { ErrorBody, RestErrorResponse } from '../contract';
import { HTTP_STATUS } from '../contract';
import { AppError, toErrorBody } from './errors';
import { safeUrl } from './logging';

/** Every REST error leaves in one envelope: `{ error: { code, message, details? } }`. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    // /health answers with the health report itself, 503 when something is down.
    if (err instanceof HttpException && err.getStatus() === 503 && req.path === '/health' && !res.headersSent) {
      res.status(503).json(err.getResponse());
      return;
    }
    const body = this.toBody(err);
    const status = HTTP_STATUS[body.code];
    if (body.code === 'INTERNAL' || body.code === 'UNAVAILABLE') {
      this.logger.error({ err, reqId: req.id, method: req.method, url: safeUrl(req.originalUrl) }, 'request failed');
    }
    if (res.headersSent) return;
    res.status(status).json({ error: body } satisfies RestErrorResponse);
  }

  private toBody(err: unknown): ErrorBody {
    if (err instanceof AppError) return toErrorBody(err);
    if (err instanceof HttpException) {
      const status = err.getStatus();
      if (status === 404) return { code: 'NOT_FOUND', message: 'Not found.' };
      if (status === 413) return { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large.' };
      if (status === 401) return { code: 'UNAUTHENTICATED', message: 'Sign in first.' };
      if (status === 403) return { code: 'FORBIDDEN', message: 'Not allowed.' };
      // 400, and what body-parser says with other 4xx (415: unsupported charset or content encoding).
      if (status >= 400 && status < 500) return { code: 'INVALID_PAYLOAD', message: 'The request is malformed.' };
      if (status === 503) return { code: 'UNAVAILABLE', message: 'The service is temporarily unavailable. Try again.' };
    }
    // body-parser errors carry a status and a type instead of being HttpExceptions.
    const e = err as { type?: string; status?: number };
    if (e?.type === 'entity.too.large' || e?.status === 413) return { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large.' };
    if (e?.type === 'entity.parse.failed' || e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
      return { code: 'INVALID_PAYLOAD', message: 'The request body is not valid JSON.' };
    }
    return toErrorBody(err);
  }
}

declare module 'express' {
  interface Request {
    id?: string | number | object;
  }
}
