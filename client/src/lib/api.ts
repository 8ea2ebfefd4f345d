import { CSRF_HEADER, ERROR_CODES, type AuthTokensDto, type ErrorBody, type ErrorCode } from '@contract';
import { tokens } from './tokens';

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status = 0,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function toErrorCode(code: unknown, status = 0): ErrorCode {
  if (ERROR_CODES.includes(code as ErrorCode)) return code as ErrorCode;
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 0 || status === 502 || status === 503 || status === 504) return 'UNAVAILABLE';
  return 'INTERNAL';
}

export const asApiError = (e: unknown): ApiError =>
  e instanceof ApiError ? e : new ApiError('INTERNAL', e instanceof Error ? e.message : String(e));

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** Send the bearer token and refresh it when the server says it expired. Default true. */
  auth?: boolean;
}

async function send(path: string, { method = 'GET', body }: RequestOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  // The cookie-authenticated endpoints (refresh, sign-out) want proof the call comes from this script.
  if (path.startsWith('/api/auth/')) headers[CSRF_HEADER] = '1';
  try {
    return await fetch(path, { method, headers, body: body === undefined ? null : JSON.stringify(body), credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError('UNAVAILABLE', e instanceof Error ? e.message : 'network error');
  }
}

async function read<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  const json: unknown = await res.json().catch(() => null);
  if (res.ok) return json as T;
  const error = (json as { error?: Partial<ErrorBody> } | null)?.error;
  throw new ApiError(toErrorCode(error?.code, res.status), error?.message ?? res.statusText, res.status, error?.details);
}

/** Serialises refreshes across tabs: refresh tokens rotate, so two tabs must never spend the same one. */
const withRefreshLock = <T>(fn: () => Promise<T>): Promise<T> =>
  typeof navigator !== 'undefined' && navigator.locks ? (navigator.locks.request('quorum.refresh', fn) as Promise<T>) : fn();

let refreshing: Promise<string> | null = null;

export function refreshAccessToken(): Promise<string> {
  refreshing ??= withRefreshLock(async () => {
    if (!tokens.signedIn) throw new ApiError('UNAUTHENTICATED', 'signed out', 401);
    // Another tab may have refreshed while this one waited for the lock: its access token is not shared,
    // but the cookie is, so this refresh simply spends the newest one.
    try {
      const fresh = await read<AuthTokensDto>(await send('/api/auth/refresh', { method: 'POST' }, null));
      tokens.store(fresh);
      return fresh.accessToken;
    } catch (e) {
      const rejected = e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 429;
      if (rejected) tokens.clear();
      throw e;
    }
  }).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

export const ensureAccessToken = (): Promise<string> =>
  tokens.access ? Promise.resolve(tokens.access) : refreshAccessToken();

const isAuthFailure = (e: unknown) => e instanceof ApiError && (e.code === 'TOKEN_EXPIRED' || e.code === 'UNAUTHENTICATED');

/** JSON request against the REST API; throws ApiError. Refreshes the access token once on 401, then retries. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  if (options.auth === false) return read<T>(await send(path, options, null));
  const token = tokens.access ?? (tokens.signedIn ? await refreshAccessToken() : null);
  try {
    return await read<T>(await send(path, options, token));
  } catch (e) {
    if (!isAuthFailure(e) || !tokens.signedIn) throw e;
  }
  const fresh = tokens.access && tokens.access !== token ? tokens.access : await refreshAccessToken();
  return read<T>(await send(path, options, fresh));
}
