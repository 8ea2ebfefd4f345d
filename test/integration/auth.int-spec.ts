import type { SessionDto } from '../../server/src/contract';
import { api, refreshCookie, register, signIn as signInAs, withRefreshCookie } from '../helpers/api';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(60_000);

describe('identity over REST (real server, real PostgreSQL)', () => {
  let server: StartedServer;
  let http: ReturnType<typeof api>;

  beforeAll(async () => {
    server = await startServer();
    http = api(server.url);
  });
  afterAll(() => server?.stop());

  it('registers, signs in and answers /api/me', async () => {
    const email = `ada.${Date.now()}@Example.org`;
    const reg = await http.post('/api/auth/register', { email, password: 'correct horse battery', displayName: 'Ada' });
    expect(reg.status).toBe(202);
    expect(reg.body).toEqual({ status: 'accepted' });

    const signIn = await http.post<SessionDto>('/api/auth/sign-in', { email, password: 'correct horse battery' });
    expect(signIn.status).toBe(200);
    expect(signIn.body.user).toMatchObject({ email: email.toLowerCase(), displayName: 'Ada' });
    const me = await http.get('/api/me', signIn.body.accessToken);
    expect(me.status).toBe(200);
    expect(me.body).toEqual(signIn.body.user);
  });

  it('answers a sign-up for a taken address exactly as for a new one, and keeps the first account', async () => {
    const email = `dup.${Date.now()}@example.org`;
    const first = await http.post('/api/auth/register', { email, password: 'correct horse battery', displayName: 'A' });
    const again = await http.post('/api/auth/register', { email: email.toUpperCase(), password: 'another fine passphrase', displayName: 'B' });
    const fresh = await http.post('/api/auth/register', { email: `new.${email}`, password: 'another fine passphrase', displayName: 'C' });
    expect([first.status, again.status, fresh.status]).toEqual([202, 202, 202]);
    expect(again.body).toEqual(fresh.body);
    expect(JSON.stringify(again.body)).not.toContain('EMAIL_TAKEN');
    // The attempt did not replace the owner's password.
    expect((await http.post('/api/auth/sign-in', { email, password: 'another fine passphrase' })).status).toBe(401);
    expect((await http.post('/api/auth/sign-in', { email, password: 'correct horse battery' })).status).toBe(200);
    expect(server.logs()).toContain('sign-up-for-existing-account');
  });

  it.each(['aaaaaaaaaa', 'password12', '1234567890', 'qwertyuiop1'])('refuses the guessable password %s with WEAK_PASSWORD, taken address or not', async (password) => {
    const taken = await register(server.url, 'Taken');
    for (const email of [`weak.${Date.now()}@example.org`, taken.user.email]) {
      const res = await http.post('/api/auth/register', { email, password, displayName: 'W' });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('WEAK_PASSWORD');
    }
    expect((await http.post('/api/me/password', { currentPassword: 'a long enough password', newPassword: password }, taken.accessToken)).body.error.code).toBe('WEAK_PASSWORD');
  });

  it('keeps the refresh token in an HttpOnly, SameSite=Strict cookie on the refresh path, never in a body', async () => {
    const s = await register(server.url, 'Cookie');
    const res = await http.post('/api/auth/sign-in', { email: s.user.email, password: 'a long enough password' });
    expect(res.body.refreshToken).toBeUndefined();
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^quorum_refresh=[\w-]+;/);
    expect(cookie).toMatch(/; Path=\/api\/auth(;|$)/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    // Served over plain http (as `npm start` on localhost is), the cookie cannot be Secure or the browser would drop it.
    expect(cookie).not.toMatch(/; Secure/);
    // Without the CSRF header (what a cross-site form would send), the cookie does nothing.
    const token = refreshCookie(res)!;
    expect((await withRefreshCookie(server.url, '/api/auth/refresh', token, false)).status).toBe(403);
    expect((await withRefreshCookie(server.url, '/api/auth/sign-out', token, false)).status).toBe(403);
    expect((await http.get('/api/me', s.accessToken)).status).toBe(200);
    const refreshed = await withRefreshCookie(server.url, '/api/auth/refresh', token);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).toBeUndefined();
    expect(refreshCookie(refreshed)).toEqual(expect.any(String));
  });

  it('answers a wrong password and an unknown email the same way', async () => {
    const s = await register(server.url, 'Grace');
    const wrong = await http.post('/api/auth/sign-in', { email: s.user.email, password: 'not the password' });
    const unknown = await http.post('/api/auth/sign-in', { email: `nobody.${Date.now()}@example.org`, password: 'whatever it is' });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it.each([
    ['missing fields', {}],
    ['a bad email', { email: 'not-an-email', password: 'correct horse battery', displayName: 'X' }],
    ['a short password', { email: 'a@b.org', password: 'short', displayName: 'X' }],
    ['a wrong type', { email: 'a@b.org', password: 1234567890123, displayName: 'X' }],
    ['an extra field', { email: 'a@b.org', password: 'correct horse battery', displayName: 'X', role: 'owner' }],
    ['a __proto__ key', JSON.parse('{"email":"a@b.org","password":"correct horse battery","displayName":"X","__proto__":{"admin":true}}')],
    ['an array', [1, 2, 3]],
  ])('answers %s with INVALID_PAYLOAD', async (_, body) => {
    const res = await http.post('/api/auth/register', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_PAYLOAD');
  });

  it('answers broken JSON with INVALID_PAYLOAD and an oversized body with PAYLOAD_TOO_LARGE', async () => {
    const broken = await http.call('POST', '/api/auth/sign-in', undefined, undefined, '{"email": ');
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('INVALID_PAYLOAD');
    const huge = await http.post('/api/auth/sign-in', { email: 'a@b.org', password: 'x'.repeat(1_000_000) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('needs a valid token for /api/me', async () => {
    expect((await http.get('/api/me')).body.error.code).toBe('UNAUTHENTICATED');
    expect((await http.get('/api/me', 'garbage')).status).toBe(401);
    const forged = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4Iiwic2lkIjoieSJ9.c2lnbmF0dXJl';
    expect((await http.get('/api/me', forged)).body.error.code).toBe('UNAUTHENTICATED');
  });

  it('rotates refresh tokens and revokes the session when an old one is replayed', async () => {
    const s = await register(server.url, 'Rotor');
    const r1 = await withRefreshCookie(server.url, '/api/auth/refresh', s.refreshToken);
    expect(r1.status).toBe(200);
    expect(refreshCookie(r1)).not.toBe(s.refreshToken);
    expect((await http.get('/api/me', r1.body.accessToken)).status).toBe(200);

    // The first token was used: replaying it means it leaked, so the whole session ends.
    const replay = await withRefreshCookie(server.url, '/api/auth/refresh', s.refreshToken);
    expect(replay.status).toBe(401);
    expect((await http.get('/api/me', r1.body.accessToken)).status).toBe(401);
    expect((await withRefreshCookie(server.url, '/api/auth/refresh', refreshCookie(r1))).status).toBe(401);
  });

  it('ends the session on sign-out: access and refresh tokens stop working at once', async () => {
    const s = await register(server.url, 'Leaver');
    expect((await http.get('/api/me', s.accessToken)).status).toBe(200);
    const out = await withRefreshCookie(server.url, '/api/auth/sign-out', s.refreshToken);
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^quorum_refresh=;/);
    expect((await http.get('/api/me', s.accessToken)).body.error.code).toBe('UNAUTHENTICATED');
    expect((await withRefreshCookie(server.url, '/api/auth/refresh', s.refreshToken)).status).toBe(401);
  });

  it('never writes passwords or tokens to its log', async () => {
    const s = await register(server.url, 'Secretive');
    await signInAs(server.url, s.user.email);
    await http.get('/api/me', s.accessToken);
    const logs = server.logs();
    expect(logs).toContain('/api/auth/sign-in');
    expect(logs).not.toContain('a long enough password');
    expect(logs).not.toContain(s.accessToken);
    expect(logs).not.toContain(s.refreshToken);
  });
});

describe('auth rate limit', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServer({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(() => server?.stop());

  it('answers RATE_LIMITED past the limit', async () => {
    const http = api(server.url);
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await http.post('/api/auth/sign-in', { email: 'x@example.org', password: 'nope nope nope' })).status);
    expect(codes).toEqual([401, 401, 401, 429, 429]);
    const limited = await http.post('/api/auth/sign-in', { email: 'x@example.org', password: 'nope nope nope' });
    expect(limited.body.error.code).toBe('RATE_LIMITED');
  });
});
