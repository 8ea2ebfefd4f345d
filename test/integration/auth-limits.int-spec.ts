/**
 * Sign-in limits count attempts (sign-in, sign-up, password-reset requests), per client address and
 * per account, and never the refreshes of sessions already open. Run on the default settings: the
 * defaults are what a newcomer gets.
 */
import * as argon2 from 'argon2';
import { Client } from 'pg';
import type { SessionDto } from '../../server/src/contract';
import { type Res, refreshCookie, withRefreshCookie } from '../helpers/api';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(120_000);

/** Empty values are dropped by the config loader: the server runs on its own defaults. */
const DEFAULTS = { AUTH_RATE_LIMIT_PER_MINUTE: '', AUTH_RATE_LIMIT_PER_ACCOUNT: '' };
const PASSWORD = 'a long enough password';

async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Res> {
  const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** Accounts made straight in the database, so that making them spends none of the sign-up allowance. */
async function seedAccounts(databaseUrl: string, n: number, tag: string): Promise<string[]> {
  const hash = await argon2.hash(PASSWORD, { type: argon2.argon2id });
  const emails = Array.from({ length: n }, (_, i) => `${tag}.${i}@library.example`);
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(`INSERT INTO users (email, password_hash, display_name) SELECT e, $2, 'Colleague' FROM unnest($1::text[]) AS e`, [emails, hash]);
  } finally {
    await db.end();
  }
  return emails;
}

describe('one library network opening Quorum at once (default settings)', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServer({ env: DEFAULTS });
  });
  afterAll(() => server?.stop());

  it('signs in 50 colleagues from one address and lets every page load refresh their sessions', async () => {
    const emails = await seedAccounts(server.databaseUrl, 50, 'colleague');
    const signIns = await Promise.all(emails.map((email) => post(server.url, '/api/auth/sign-in', { email, password: PASSWORD })));
    expect(signIns.map((r) => r.status)).toEqual(emails.map(() => 200));
    let cookies = signIns.map((r) => refreshCookie(r)!);
    // Three page loads each: every one rotates the refresh token and reads /api/me, as the client does.
    for (let load = 0; load < 3; load++) {
      const refreshed = await Promise.all(cookies.map((c) => withRefreshCookie(server.url, '/api/auth/refresh', c)));
      expect(refreshed.map((r) => r.status)).toEqual(emails.map(() => 200));
      const me = await Promise.all(
        refreshed.map((r) => fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${(r.body as SessionDto).accessToken}` } }).then((x) => x.status)),
      );
      expect(me).toEqual(emails.map(() => 200));
      cookies = refreshed.map((r) => refreshCookie(r)!);
    }
  });
});

describe('guessing at accounts (default settings, no trusted proxy)', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServer({ env: DEFAULTS });
  });
  afterAll(() => server?.stop());

  it('refuses an account after 10 attempts in a quarter hour, even with the right password, and not its neighbours', async () => {
    const [target, neighbour] = await seedAccounts(server.databaseUrl, 2, 'target');
    const wrong = [];
    for (let i = 0; i < 10; i++) wrong.push((await post(server.url, '/api/auth/sign-in', { email: target, password: `guess number ${i}` })).status);
    expect(wrong).toEqual(Array(10).fill(401));
    const locked = await post(server.url, '/api/auth/sign-in', { email: target!.toUpperCase(), password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('RATE_LIMITED');
    expect(locked.body.error.details.retryAfterSeconds).toBeGreaterThan(0);
    expect((await post(server.url, '/api/auth/sign-in', { email: neighbour, password: PASSWORD })).status).toBe(200);
  });

  it('refuses one address trying many accounts, whatever X-Forwarded-For it sends', async () => {
    // The first test spent 11 of this address's 60 attempts a minute (the refused ones cost nothing).
    const statuses: number[] = [];
    for (let i = 0; i < 60 && !statuses.includes(429); i++) {
      const r = await post(server.url, '/api/auth/sign-in', { email: `nobody.${i}@library.example`, password: 'whatever it is' }, { 'x-forwarded-for': `198.51.100.${i}` });
      statuses.push(r.status);
      if (r.status === 429) expect(r.body.error.code).toBe('RATE_LIMITED');
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((s) => s === 401).length + 11).toBe(60);
    // Sign-up is an attempt too.
    expect((await post(server.url, '/api/auth/register', { email: 'late@library.example', password: PASSWORD, displayName: 'Late' })).status).toBe(429);
  });
});

describe('guessing at one account from many addresses behind a trusted proxy', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServer({ env: { ...DEFAULTS, TRUST_PROXY: 'true' } });
  });
  afterAll(() => server?.stop());

  it('counts attempts by account whatever address they come from', async () => {
    const [target] = await seedAccounts(server.databaseUrl, 1, 'proxied');
    const from = (i: number) => ({ 'x-forwarded-for': `203.0.113.${i}` });
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await post(server.url, '/api/auth/sign-in', { email: target, password: `guess number ${i}` }, from(i))).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
    expect((await post(server.url, '/api/auth/sign-in', { email: target, password: PASSWORD }, from(200))).status).toBe(429);
  });
});
