/**
 * Institutional sign-in through a real OpenID Connect provider (oidc-provider, started here) and the
 * built server, driven over HTTP as a browser would (redirects followed, cookies kept): the code flow
 * lands as the linked account with an ordinary session; accounts link by subject, then by a verified
 * e-mail, never by an unverified one; a wrong issuer, a tampered ID token, a replayed or unknown
 * state, a callback in another browser and a refusal at the provider each end with a stable code and
 * no session.
 */
import { Client } from 'pg';
import type { IdentityProviderDto, InstitutionalSignInOption, OrganizationDto, UserDto } from '../../server/src/contract';
import { api, refreshCookie, register, signIn, type TestSession, withRefreshCookie } from '../helpers/api';
import { CookieJar, follow, loginAtProvider, startOidcProvider, type TestProvider } from '../helpers/oidc-provider';
import { freePort, type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(120_000);

describe('signing in through an organisation’s OpenID Connect provider', () => {
  let server: StartedServer;
  let idp: TestProvider;
  let db: Client;
  let http: ReturnType<typeof api>;
  let owner: TestSession;
  let org: OrganizationDto;
  const tag = Date.now();
  const mail = (name: string) => `${name}.${tag}@uni.example.org`;

  beforeAll(async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    idp = await startOidcProvider({ redirectUri: `${publicUrl}/api/auth/oidc/callback` });
    server = await startServer({ env: { PORT: String(port), PUBLIC_URL: publicUrl } });
    http = api(server.url);
    db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    owner = await register(server.url, 'Nordic Owner');
    org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Nordic Library Alliance' }, owner.accessToken)).body;
    const saved = await http.call<IdentityProviderDto>(
      'PUT',
      `/api/organizations/${org.id}/sign-in-provider`,
      { slug: 'nordic', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, joinAsMember: true },
      owner.accessToken,
    );
    expect(saved.status).toBe(200);
  });
  afterAll(async () => {
    await db?.end();
    await server?.stop();
    await idp?.stop();
  });

  const startUrl = (slug = 'nordic', next?: string) =>
    `${server.url}/api/auth/oidc/${slug}/start${next ? `?next=${encodeURIComponent(next)}` : ''}`;
  const callbackPrefix = () => `${server.url}/api/auth/oidc/callback`;

  /** Start at Quorum, sign in at the provider as `login`; the callback URL the provider sends back (not yet requested). */
  async function throughProvider(jar: CookieJar, login: string, next?: string): Promise<string> {
    const started = await follow(jar, startUrl('nordic', next), { stopAt: idp.issuer });
    expect(started.hops[0]!.status).toBe(302);
    expect(started.lastUrl.startsWith(`${idp.issuer}/auth?`)).toBe(true);
    const auth = new URL(started.lastUrl).searchParams;
    // Authorization Code flow with PKCE (S256), state and nonce.
    expect(auth.get('response_type')).toBe('code');
    expect(auth.get('code_challenge_method')).toBe('S256');
    expect(auth.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(auth.get('state')).toBeTruthy();
    expect(auth.get('nonce')).toBeTruthy();
    return loginAtProvider(jar, started.lastUrl, login, callbackPrefix());
  }

  /** The callback as the browser requests it: where it sends the browser and the session cookie it sets, if any. */
  async function callback(
    jar: CookieJar,
    url: string,
  ): Promise<{ location: string; refreshToken: string | undefined; error: string | null }> {
    const headers: Record<string, string> = {};
    const cookie = jar.header(new URL(url));
    if (cookie) headers.cookie = cookie;
    const res = await fetch(url, { headers, redirect: 'manual' });
    jar.take(new URL(url), res);
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    return {
      location,
      refreshToken: refreshCookie({ status: res.status, body: undefined, headers: res.headers }),
      error: new URL(location, server.url).searchParams.get('signInError'),
    };
  }

  /** What the web client does on the page the callback lands on: trade the cookie (it rotates) for an access token. */
  async function signedIn(refreshToken: string): Promise<{ me: UserDto; accessToken: string; refreshToken: string }> {
    const res = await withRefreshCookie(server.url, '/api/auth/refresh', refreshToken);
    expect(res.status).toBe(200);
    const me = (await http.get<UserDto>('/api/me', res.body.accessToken)).body;
    return { me, accessToken: res.body.accessToken, refreshToken: refreshCookie(res)! };
  }
  const whoAmI = async (refreshToken: string): Promise<UserDto> => (await signedIn(refreshToken)).me;

  const count = async (sql: string, params: unknown[] = []) => Number((await db.query(sql, params)).rows[0].n);
  const sessions = () => count('SELECT count(*) AS n FROM auth_sessions');

  it('keeps the client secret to itself: never in an answer, sealed in the database', async () => {
    const got = await http.get<{ provider: IdentityProviderDto }>(`/api/organizations/${org.id}/sign-in-provider`, owner.accessToken);
    expect(got.body.provider).toMatchObject({
      slug: 'nordic',
      issuer: idp.issuer,
      clientId: idp.clientId,
      hasClientSecret: true,
      joinAsMember: true,
    });
    expect(got.body.provider.redirectUri).toBe(`${server.url}/api/auth/oidc/callback`);
    expect(JSON.stringify(got.body)).not.toContain(idp.clientSecret);
    const stored = (await db.query('SELECT * FROM identity_providers')).rows;
    expect(JSON.stringify(stored)).not.toContain(idp.clientSecret);
    // Saving without a secret keeps the stored one (the sign-ins below still work).
    const resaved = await http.call(
      'PUT',
      `/api/organizations/${org.id}/sign-in-provider`,
      { slug: 'nordic', issuer: idp.issuer, clientId: idp.clientId, joinAsMember: true },
      owner.accessToken,
    );
    expect(resaved.status).toBe(200);
    expect(JSON.stringify(resaved.body)).not.toContain(idp.clientSecret);
  });

  it('refuses settings that do not hold together, with stable codes', async () => {
    const put = (body: object) => http.call('PUT', `/api/organizations/${org.id}/sign-in-provider`, body, owner.accessToken);
    const base = { slug: 'nordic', issuer: idp.issuer, clientId: idp.clientId };
    expect((await put({ ...base, issuer: 'not a url' })).body.error.code).toBe('INVALID_PAYLOAD');
    expect((await put({ ...base, scopes: 'email profile' })).body.error.code).toBe('INVALID_PAYLOAD');
    expect((await put({ ...base, slug: 'Not A Slug!' })).body.error.code).toBe('INVALID_PAYLOAD');
    const other = (await http.post<OrganizationDto>('/api/organizations', { name: 'Another Alliance' }, owner.accessToken)).body;
    const clash = await http.call(
      'PUT',
      `/api/organizations/${other.id}/sign-in-provider`,
      { ...base, clientSecret: 'x' },
      owner.accessToken,
    );
    expect(clash.body.error.code).toBe('SLUG_TAKEN');
    const noSecret = await http.call(
      'PUT',
      `/api/organizations/${other.id}/sign-in-provider`,
      { ...base, slug: 'another' },
      owner.accessToken,
    );
    expect(noSecret.body.error.code).toBe('INVALID_PAYLOAD');
  });

  it('offers "Sign in with" the organisation on the sign-in page', async () => {
    const options = (await http.get<InstitutionalSignInOption[]>('/api/auth/institutions')).body;
    expect(options).toContainEqual({
      slug: 'nordic',
      organizationName: 'Nordic Library Alliance',
      startPath: '/api/auth/oidc/nordic/start',
    });
  });

  it('creates an account for a newcomer and signs them in with an ordinary session, as a member', async () => {
    await idp.setAccount('ada-sub', { email: mail('ada'), email_verified: true, name: 'Ada Lovelace' });
    const jar = new CookieJar();
    const back = await callback(jar, await throughProvider(jar, 'ada-sub', '/events'));
    expect(back.error).toBeNull();
    expect(back.location).toBe('/sign-in/complete?next=%2Fevents');
    expect(back.refreshToken).toBeDefined();
    const session = await signedIn(back.refreshToken!);
    const me = session.me;
    expect(me).toMatchObject({ email: mail('ada'), displayName: 'Ada Lovelace' });
    const link = (await db.query('SELECT * FROM user_identities WHERE user_id = $1', [me.id])).rows;
    expect(link).toEqual([expect.objectContaining({ issuer: idp.issuer, subject: 'ada-sub', linked_by: 'new-account' })]);
    // The organisation asked for its people to become members by signing in.
    expect((await http.get<OrganizationDto>(`/api/organizations/${org.id}`, session.accessToken)).body.myRole).toBe('member');
    // The same revocation as any session: signing out ends it.
    expect((await withRefreshCookie(server.url, '/api/auth/sign-out', session.refreshToken)).status).toBe(204);
    expect((await withRefreshCookie(server.url, '/api/auth/refresh', session.refreshToken)).status).toBe(401);
    expect(server.logs()).toMatch(/"event":"institutional-identity-linked".*"linkedBy":"new-account"/);
  });

  it('signs the same subject in to the same account, even once the provider reports another address', async () => {
    await idp.setAccount('ada-sub', { email: mail('ada-renamed'), email_verified: true, name: 'Ada King' });
    const jar = new CookieJar();
    const back = await callback(jar, await throughProvider(jar, 'ada-sub'));
    expect((await whoAmI(back.refreshToken!)).email).toBe(mail('ada'));
    expect(await count('SELECT count(*) AS n FROM user_identities WHERE subject = $1', ['ada-sub'])).toBe(1);
  });

  it('links a verified address to the existing account, and ends what its never-proved password could do', async () => {
    const grace = await register(server.url, 'Grace');
    await db.query('UPDATE users SET email = $2 WHERE id = $1', [grace.user.id, mail('grace')]);
    const laptop = await signIn(server.url, mail('grace'));
    await idp.setAccount('grace-sub', { email: mail('grace'), email_verified: true, name: 'Grace Hopper' });
    const jar = new CookieJar();
    const back = await callback(jar, await throughProvider(jar, 'grace-sub'));
    expect(back.error).toBeNull();
    expect((await whoAmI(back.refreshToken!)).id).toBe(grace.user.id);
    const [link] = (await db.query('SELECT linked_by FROM user_identities WHERE subject = $1', ['grace-sub'])).rows;
    expect(link.linked_by).toBe('verified-email');
    // Whoever registered the address without proving it loses the account: sessions and password.
    expect((await withRefreshCookie(server.url, '/api/auth/refresh', laptop.refreshToken)).status).toBe(401);
    expect((await http.post('/api/auth/sign-in', { email: mail('grace'), password: 'a long enough password' })).body.error.code).toBe(
      'INVALID_CREDENTIALS',
    );
  });

  it('never links an unverified address to an existing account', async () => {
    const victim = await register(server.url, 'Victim');
    await db.query('UPDATE users SET email = $2 WHERE id = $1', [victim.user.id, mail('victim')]);
    const before = await sessions();
    await idp.setAccount('mallory-sub', { email: mail('victim'), email_verified: false, name: 'Mallory' });
    const jar = new CookieJar();
    const back = await callback(jar, await throughProvider(jar, 'mallory-sub'));
    expect(back.error).toBe('SIGN_IN_EMAIL_UNVERIFIED');
    expect(back.location).toBe('/sign-in?signInError=SIGN_IN_EMAIL_UNVERIFIED');
    expect(back.refreshToken).toBeUndefined();
    expect(await sessions()).toBe(before);
    expect(await count('SELECT count(*) AS n FROM user_identities WHERE subject = $1', ['mallory-sub'])).toBe(0);
    // A provider that leaves email_verified out says nothing either.
    await idp.setAccount('mallory-2', { email: mail('victim'), name: 'Mallory' });
    const jar2 = new CookieJar();
    expect((await callback(jar2, await throughProvider(jar2, 'mallory-2'))).error).toBe('SIGN_IN_EMAIL_UNVERIFIED');
    // The owner's account is untouched.
    expect((await withRefreshCookie(server.url, '/api/auth/refresh', victim.refreshToken)).status).toBe(200);
  });

  it('refuses a replayed callback: the state works once', async () => {
    await idp.setAccount('linus-sub', { email: mail('linus'), email_verified: true, name: 'Linus' });
    const jar = new CookieJar();
    const url = await throughProvider(jar, 'linus-sub');
    const browserToken = jar.get(new URL(server.url).host, 'quorum_sign_in')!;
    expect(browserToken).toBeTruthy();
    const first = await callback(jar, url);
    expect(first.error).toBeNull();
    const before = await sessions();
    // The same URL again, from the same browser with its sign-in cookie put back.
    const replayJar = new CookieJar();
    const res = await fetch(url, { headers: { cookie: `quorum_sign_in=${browserToken}` }, redirect: 'manual' });
    replayJar.take(new URL(url), res);
    expect(res.headers.get('location')).toBe('/sign-in?signInError=SIGN_IN_STATE_USED');
    expect(refreshCookie({ status: res.status, body: undefined, headers: res.headers })).toBeUndefined();
    expect(await sessions()).toBe(before);
  });

  it('refuses a callback without a state, or with one it never issued', async () => {
    const before = await sessions();
    const jar = new CookieJar();
    expect((await callback(jar, `${callbackPrefix()}?code=abc`)).error).toBe('SIGN_IN_STATE_INVALID');
    expect((await callback(jar, `${callbackPrefix()}?code=abc&state=${'x'.repeat(43)}`)).error).toBe('SIGN_IN_STATE_INVALID');
    expect((await callback(jar, `${callbackPrefix()}?code=abc&state=%00%0a`)).error).toBe('SIGN_IN_STATE_INVALID');
    expect(await sessions()).toBe(before);
  });

  it('refuses a callback finished in another browser (a link sent to sign someone in as another), and lets the right browser finish', async () => {
    await idp.setAccount('eve-sub', { email: mail('eve'), email_verified: true, name: 'Eve' });
    const attacker = new CookieJar();
    const url = await throughProvider(attacker, 'eve-sub');
    const before = await sessions();
    const victim = await callback(new CookieJar(), url);
    expect(victim.error).toBe('SIGN_IN_STATE_INVALID');
    expect(victim.refreshToken).toBeUndefined();
    expect(await sessions()).toBe(before);
    expect((await callback(attacker, url)).error).toBeNull();
  });

  it('refuses an ID token whose signature does not match its content', async () => {
    await idp.setAccount('trudy-sub', { email: mail('trudy'), email_verified: true, name: 'Trudy' });
    const before = await sessions();
    const users = await count('SELECT count(*) AS n FROM users');
    // The token endpoint answers with the real token, its subject and address changed to another person's.
    await idp.forgeIdTokens({ sub: 'ada-sub', email: mail('ada') });
    try {
      const jar = new CookieJar();
      const back = await callback(jar, await throughProvider(jar, 'trudy-sub'));
      expect(back.error).toBe('SIGN_IN_TOKEN_INVALID');
      expect(back.refreshToken).toBeUndefined();
    } finally {
      await idp.forgeIdTokens(null);
    }
    expect(await sessions()).toBe(before);
    expect(await count('SELECT count(*) AS n FROM users')).toBe(users);
    expect(server.logs()).toMatch(/"event":"institutional-sign-in-failed".*"code":"SIGN_IN_TOKEN_INVALID"/);
  });

  it('refuses a provider whose issuer is not the one configured', async () => {
    const other = (await http.post<OrganizationDto>('/api/organizations', { name: 'Misconfigured Alliance' }, owner.accessToken)).body;
    // The same provider under another name: its discovery document names a different issuer.
    const issuer = idp.issuer.replace('127.0.0.1', 'localhost');
    const saved = await http.call(
      'PUT',
      `/api/organizations/${other.id}/sign-in-provider`,
      { slug: 'misconfigured', issuer, clientId: idp.clientId, clientSecret: idp.clientSecret },
      owner.accessToken,
    );
    expect(saved.status).toBe(200);
    const before = await count('SELECT count(*) AS n FROM institutional_sign_ins');
    const res = await fetch(startUrl('misconfigured'), { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/sign-in?signInError=SIGN_IN_ISSUER_MISMATCH');
    expect(await count('SELECT count(*) AS n FROM institutional_sign_ins')).toBe(before);
  });

  it('says so when the person declines at the provider, and for an unknown organisation', async () => {
    const jar = new CookieJar();
    const started = await follow(jar, startUrl(), { stopAt: idp.issuer });
    const login = await follow(jar, started.lastUrl);
    const uid = /\/interaction\/([\w-]+)/.exec(login.lastUrl)?.[1];
    expect(uid).toBeTruthy();
    const declined = await follow(jar, `${idp.issuer}/interaction/${uid}/abort`, { stopAt: callbackPrefix() });
    expect((await callback(jar, declined.lastUrl)).error).toBe('SIGN_IN_DENIED');
    const unknown = await fetch(startUrl('no-such-org'), { redirect: 'manual' });
    expect(unknown.headers.get('location')).toBe('/sign-in?signInError=NOT_FOUND');
  });

  it('never sends the browser anywhere but a local page afterwards', async () => {
    await idp.setAccount('ivy-sub', { email: mail('ivy'), email_verified: true, name: 'Ivy' });
    const jar = new CookieJar();
    const back = await callback(jar, await throughProvider(jar, 'ivy-sub', '//evil.example/steal'));
    expect(back.location).toBe('/sign-in/complete?next=%2F');
  });
});
