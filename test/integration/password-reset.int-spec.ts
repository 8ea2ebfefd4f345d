/**
 * Password reset by e-mail, end to end through a real SMTP server started here: the same answer for
 * any address, a mailed single-use link that expires, the new password's strength rule, and every
 * other session of the account ended. Without SMTP_URL the mail lands in DATA_DIR/outbox.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { Client } from 'pg';
import type { SessionDto } from '../../server/src/contract';
import { api, connectSocket, refreshCookie, register, signIn, withRefreshCookie } from '../helpers/api';
import { type StartedServer, startServer } from '../helpers/server-process';
import { mailTo as to, resetToken as tokenOf, startSmtp } from '../helpers/smtp';

jest.setTimeout(90_000);

describe('password reset through an SMTP relay', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let server: StartedServer;
  let http: ReturnType<typeof api>;

  beforeAll(async () => {
    smtp = await startSmtp();
    server = await startServer({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'Quorum <quorum@library.example>' } });
    http = api(server.url);
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.close();
  });

  it('mails a single-use link; the new password works, the old one and every other session end', async () => {
    const ada = await register(server.url, 'Ada');
    const laptop = await signIn(server.url, ada.user.email);
    const socket = await connectSocket(server.url, { token: laptop.accessToken });
    const disconnected = new Promise((resolve) => socket.once('disconnect', resolve));

    // An unknown address gets the very same answer, and no mail.
    const unknown = await http.post('/api/auth/password-reset', { email: `nobody.${Date.now()}@example.org` });
    const known = await http.post('/api/auth/password-reset', { email: ada.user.email.toUpperCase(), language: 'zh' });
    expect([unknown.status, known.status]).toEqual([202, 202]);
    expect(unknown.body).toEqual(known.body);

    const mail = await smtp.next();
    expect(to(mail)).toBe(ada.user.email);
    expect(mail.subject).toBe('重置您的 Quorum 密码');
    expect(mail.from!.text).toContain('quorum@library.example');
    const token = tokenOf(mail);
    expect(mail.text).toContain(`http://localhost:${new URL(server.url).port}/reset-password#${token}`);
    // Only the hash is kept.
    const db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ token_hash: string }>('SELECT token_hash FROM password_resets');
      expect(rows).toHaveLength(1);
      expect(rows[0]!.token_hash).not.toContain(token);
    } finally {
      await db.end();
    }
    expect(server.logs()).not.toContain(token);

    // Same strength rule as sign-up; a refused password does not spend the link.
    const weak = await http.post('/api/auth/password-reset/confirm', { token, newPassword: 'password12' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('WEAK_PASSWORD');

    const reset = await http.post<SessionDto>('/api/auth/password-reset/confirm', { token, newPassword: 'a brand new passphrase' });
    expect(reset.status).toBe(200);
    expect(reset.body.user.id).toBe(ada.user.id);
    expect(refreshCookie(reset)).toEqual(expect.any(String));
    expect((await http.get('/api/me', reset.body.accessToken)).status).toBe(200);

    // Every session that was open is over, its live socket included.
    for (const s of [ada, laptop]) {
      expect((await http.get('/api/me', s.accessToken)).status).toBe(401);
      expect((await withRefreshCookie(server.url, '/api/auth/refresh', s.refreshToken)).status).toBe(401);
    }
    await disconnected;

    expect((await http.post('/api/auth/sign-in', { email: ada.user.email, password: 'a long enough password' })).status).toBe(401);
    expect((await http.post('/api/auth/sign-in', { email: ada.user.email, password: 'a brand new passphrase' })).status).toBe(200);

    const again = await http.post('/api/auth/password-reset/confirm', { token, newPassword: 'yet another passphrase' });
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('RESET_LINK_INVALID');
  });

  it('refuses an expired link', async () => {
    const grace = await register(server.url, 'Grace');
    await http.post('/api/auth/password-reset', { email: grace.user.email });
    const token = tokenOf(await smtp.next());
    const db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      await db.query(`UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [grace.user.id]);
    } finally {
      await db.end();
    }
    const res = await http.post('/api/auth/password-reset/confirm', { token, newPassword: 'a brand new passphrase' });
    expect(res.status).toBe(410);
    expect(res.body.error.code).toBe('RESET_LINK_INVALID');
    expect((await http.post('/api/auth/sign-in', { email: grace.user.email, password: 'a long enough password' })).status).toBe(200);
  });

  it('answers a malformed token or request with INVALID_PAYLOAD', async () => {
    for (const body of [{ token: 'short', newPassword: 'a brand new passphrase' }, { token: 'x'.repeat(43) }, { email: 'not-an-email' }]) {
      const path = 'email' in body ? '/api/auth/password-reset' : '/api/auth/password-reset/confirm';
      expect((await http.post(path, body)).body.error.code).toBe('INVALID_PAYLOAD');
    }
  });
});

describe('password reset with no SMTP relay (the embedded default)', () => {
  let server: StartedServer;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'quorum-outbox-'));
    server = await startServer({ env: { DATA_DIR: dataDir } });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes the mail as an .eml file under DATA_DIR/outbox and logs where', async () => {
    const ada = await register(server.url, 'Outbox Ada');
    expect((await api(server.url).post('/api/auth/password-reset', { email: ada.user.email })).status).toBe(202);
    const outbox = path.join(dataDir, 'outbox');
    while (!server.logs().includes('"mail-written"')) await new Promise((r) => setTimeout(r, 50));
    const files = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    const file = path.join(outbox, files[0]!);
    expect(server.logs()).toContain(file);
    const mail = await simpleParser(readFileSync(file));
    expect(to(mail)).toBe(ada.user.email);
    expect(mail.subject).toBe('Reset your Quorum password');
    const token = tokenOf(mail);
    const reset = await api(server.url).post('/api/auth/password-reset/confirm', { token, newPassword: 'a brand new passphrase' });
    expect(reset.status).toBe(200);
  });
});
