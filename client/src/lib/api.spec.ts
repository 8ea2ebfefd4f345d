import { beforeEach, describe, expect, it, type jest as Jest } from '@jest/globals';
import { ApiError, api } from './api';
import { tokens } from './tokens';

// The global `jest` (not the imported one) is what the transform hoists above the imports.
declare const jest: typeof Jest;

type Handler = (path: string, init: RequestInit) => Response;

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const error = (status: number, code: string) => json(status, { error: { code, message: code } });
const bearer = (init: RequestInit) => (init.headers as Record<string, string>).authorization;

let calls: { path: string; init: RequestInit }[];

function serve(handler: Handler) {
  calls = [];
  globalThis.fetch = jest.fn(async (input: string | URL | Request, init: RequestInit = {}) => {
    const path = String(input);
    calls.push({ path, init });
    return handler(path, init);
  }) as typeof fetch;
}

/**
 * The server of these tests: access token `a<n>` is valid while n is the latest refresh generation.
 * The refresh token is a cookie the browser sends by itself; the server wants the CSRF header.
 */
function rotatingServer(opts: { refusedRefresh?: boolean } = {}) {
  let generation = 1;
  serve((path, init) => {
    if (path === '/api/auth/refresh') {
      if ((init.headers as Record<string, string>)['x-quorum-csrf'] !== '1') return error(403, 'FORBIDDEN');
      if (init.body != null) return error(400, 'INVALID_PAYLOAD');
      if (opts.refusedRefresh) return error(401, 'UNAUTHENTICATED');
      generation++;
      return json(200, { accessToken: `a${generation}`, expiresIn: 900 });
    }
    if (bearer(init) !== `Bearer a${generation}`) return error(401, 'TOKEN_EXPIRED');
    return json(200, { path });
  });
}

beforeEach(() => {
  const store = new Map<string, string>();
  globalThis.localStorage = {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
    removeItem: (k: string) => void store.delete(k),
  } as Storage;
  tokens.clear();
});

describe('api', () => {
  it('refreshes an expired access token once and retries the request', async () => {
    rotatingServer();
    tokens.store({ accessToken: 'a0', expiresIn: 900 });
    await expect(api('/api/me')).resolves.toEqual({ path: '/api/me' });
    expect(calls.map((c) => c.path)).toEqual(['/api/me', '/api/auth/refresh', '/api/me']);
    expect(tokens.access).toBe('a2');
    expect(calls[1]?.init.credentials).toBe('same-origin');
  });

  it('spends the refresh token only once when several requests expire together', async () => {
    rotatingServer();
    tokens.store({ accessToken: 'a0', expiresIn: 900 });
    await Promise.all([api('/api/me'), api('/api/organizations'), api('/api/organizations/x')]);
    expect(calls.filter((c) => c.path === '/api/auth/refresh')).toHaveLength(1);
  });

  it('starts from the session cookie after a reload, and keeps no token in localStorage', async () => {
    rotatingServer();
    localStorage.setItem('quorum.signedIn', '1');
    await expect(api('/api/me')).resolves.toEqual({ path: '/api/me' });
    expect(calls.map((c) => c.path)).toEqual(['/api/auth/refresh', '/api/me']);
    expect(localStorage.getItem('quorum.signedIn')).toBe('1');
    expect(localStorage.getItem('quorum.refreshToken')).toBeNull();
  });

  it('ends the session when the refresh token is refused', async () => {
    rotatingServer({ refusedRefresh: true });
    tokens.store({ accessToken: 'a0', expiresIn: 900 });
    await expect(api('/api/me')).rejects.toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect(tokens.signedIn).toBe(false);
  });

  it('does not refresh on failed sign-in', async () => {
    serve(() => error(401, 'INVALID_CREDENTIALS'));
    tokens.store({ accessToken: 'a0', expiresIn: 900 });
    await expect(api('/api/auth/sign-in', { method: 'POST', body: {}, auth: false })).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    expect(calls).toHaveLength(1);
    expect(tokens.signedIn).toBe(true);
  });

  it.each([
    [error(409, 'EMAIL_TAKEN'), 'EMAIL_TAKEN'],
    [error(418, 'SOMETHING_NEW'), 'INTERNAL'],
    [new Response('Bad Gateway', { status: 502 }), 'UNAVAILABLE'],
    [new Response(null, { status: 404 }), 'NOT_FOUND'],
  ])('turns an error response into an ApiError with a known code (%#)', async (response, code) => {
    serve(() => response);
    const failure = await api('/api/x', { auth: false }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).code).toBe(code);
  });

  it('reports an unreachable server as UNAVAILABLE', async () => {
    globalThis.fetch = (() => Promise.reject(new TypeError('fetch failed'))) as typeof fetch;
    await expect(api('/api/x', { auth: false })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('sends JSON bodies and reads 204 as undefined', async () => {
    serve(() => new Response(null, { status: 204 }));
    await expect(api('/api/x', { method: 'POST', body: { name: 'r' }, auth: false })).resolves.toBeUndefined();
    expect(calls[0]?.init).toMatchObject({ method: 'POST', body: '{"name":"r"}' });
  });
});
