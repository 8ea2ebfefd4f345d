import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { workerBin } from 'mediasoup';
import { api, register } from '../helpers/api';
import { freePort, ROOT, startServer } from '../helpers/server-process';

jest.setTimeout(180_000);

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

describe('npm start on a fresh machine (no DATABASE_URL)', () => {
  it('creates an embedded PostgreSQL, serves the client and /health, stops cleanly, and keeps data across restarts', async () => {
    const checkout = mkdtempSync(path.join(tmpdir(), 'quorum-start-'));
    chmodSync(checkout, 0o755); // like a clone in a home folder; mkdtemp makes it private
    const dataDir = path.join(checkout, '.data');
    const pgPort = await freePort();
    const env = { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort) };

    const first = await startServer({ embedded: true, env, timeoutMs: 150_000 });
    let email: string;
    try {
      expect(first.logs()).toContain('creating the embedded PostgreSQL cluster');
      expect(existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);

      const health = await api(first.url).get('/health');
      expect(health.status).toBe(200);
      expect(health.body.info).toMatchObject({ database: { status: 'up' }, media: { status: 'up' } });

      const page = await fetch(`${first.url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('<div id="root">');
      // Client-side routes fall back to the app; API misses stay JSON 404s.
      expect((await fetch(`${first.url}/organizations/123`)).headers.get('content-type')).toContain('text/html');
      expect((await api(first.url).get('/api/nothing-here')).body.error.code).toBe('NOT_FOUND');

      email = (await register(first.url, 'First Run')).user.email;
    } finally {
      await first.stop();
    }
    expect(first.process.exitCode).toBe(0);
    expect(await portOpen(pgPort)).toBe(false);

    const second = await startServer({ embedded: true, env, timeoutMs: 60_000 });
    try {
      expect(second.logs()).not.toContain('creating the embedded PostgreSQL cluster');
      const signIn = await api(second.url).post('/api/auth/sign-in', { email, password: 'a long enough password' });
      expect(signIn.status).toBe(200);
    } finally {
      await second.stop();
    }
  });

  it('keeps the data folder out of git', () => {
    const r = spawnSync('git', ['check-ignore', '-q', '.data/postgres/PG_VERSION'], { cwd: ROOT });
    expect(r.status).toBe(0);
  });

  it('refuses to start, with a clear message, when no mediasoup worker is installed', () => {
    const r = spawnSync(process.execPath, ['server/dist/main.js'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, MEDIASOUP_WORKER_BIN: '/nonexistent/mediasoup-worker', DATABASE_URL: 'postgres://127.0.0.1:1/none' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(69);
    expect(r.stderr).toContain('No mediasoup worker binary');
    expect(r.stderr).toContain('scripts/mediasoup-worker.mjs');
  });
});

describe('the mediasoup worker install step', () => {
  const script = path.join(ROOT, 'scripts', 'mediasoup-worker.mjs');
  const run = (env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [script], { cwd: ROOT, env: { ...process.env, ...env, QUORUM_WORKER_NO_DOWNLOAD: '1' }, encoding: 'utf8', timeout: 60_000 });

  it('does nothing on a second install when the worker is already in place', () => {
    const r = run();
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('already present');
    expect(r.stdout).not.toContain('building');
  });

  it('restores the worker from the per-version cache instead of rebuilding (npm ci wipes node_modules)', () => {
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'quorum-cache-'));
    const version = (JSON.parse(readFileSync(path.join(path.dirname(require.resolve('mediasoup')), '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
    const cached = path.join(cacheDir, 'mediasoup-worker', version, 'mediasoup-worker');
    mkdirSync(path.dirname(cached), { recursive: true });
    copyFileSync(workerBin, cached);
    const aside = `${workerBin}.aside-${process.pid}`;
    renameSync(workerBin, aside);
    try {
      const r = run({ QUORUM_CACHE_DIR: cacheDir });
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`cache ${cached}`);
      expect(r.stdout).not.toContain('building');
      const probe = spawnSync(workerBin, [], { env: {}, timeout: 10_000 });
      expect(probe.status).toBe(41); // a worker started without MEDIASOUP_VERSION exits 41: it loads and runs
    } finally {
      renameSync(aside, workerBin);
    }
  });
});
