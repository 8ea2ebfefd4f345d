import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

export const ROOT = path.resolve(__dirname, '..', '..');
/** QUORUM_SERVER_ENTRY: another build to run instead (the previous release, to measure before/after). */
const SERVER_ENTRY = process.env.QUORUM_SERVER_ENTRY ? path.resolve(process.env.QUORUM_SERVER_ENTRY) : path.join(ROOT, 'server', 'dist', 'main.js');

/** The PostgreSQL every integration test uses; each server gets a fresh database on it. */
export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface StartedServer {
  url: string;
  databaseUrl: string;
  /** Everything the process printed so far (pino JSON lines). */
  logs(): string;
  process: ChildProcess;
  /** SIGTERM, wait for exit, drop the database. */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Each server's WebRtcServers bind fixed ports. They come from 20000-32000, below the kernel's range
 * for outgoing connections (32768+), so closed client connections in TIME_WAIT never hold them; a block
 * is checked free before use.
 */
let rtcNext = 20000 + ((process.pid * 37) % 1000) * 10;
async function rtcRange(): Promise<{ min: number; max: number }> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const min = rtcNext;
    rtcNext = rtcNext + 10 >= 32000 ? 20000 : rtcNext + 10;
    if (await blockFree(min, 10)) return { min, max: min + 9 };
  }
  throw new Error('no free block of RTC ports');
}

/** Both protocols: a WebRtcServer listens on UDP and TCP. */
function blockFree(min: number, size: number): Promise<boolean> {
  const tcp = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  const udp = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  return Promise.all(Array.from({ length: size }, (_, i) => [tcp(min + i), udp(min + i)]).flat()).then((all) => all.every(Boolean));
}

export async function createDatabase(): Promise<string> {
  const name = `quorum_t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/**
 * Spawns the built server (`node server/dist/main.js`) exactly as `npm start` does, on a fresh
 * database (unless `env.DATABASE_URL` is given or `embedded` is set), and waits until it is ready.
 */
export async function startServer(opts: { env?: Record<string, string>; embedded?: boolean; timeoutMs?: number } = {}): Promise<StartedServer> {
  if (!existsSync(SERVER_ENTRY)) throw new Error(`${SERVER_ENTRY} is missing: run \`npm run build\` first`);
  // A fixed PORT: a restart that comes back on the same address.
  const port = opts.env?.PORT ? Number(opts.env.PORT) : await freePort();
  const rtc = await rtcRange();
  const databaseUrl = opts.embedded ? '' : (opts.env?.DATABASE_URL ?? (await createDatabase()));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    MEDIASOUP_WORKERS: '1',
    RTC_LISTEN_IP: '127.0.0.1',
    RTC_MIN_PORT: String(rtc.min),
    RTC_MAX_PORT: String(rtc.max),
    AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    JWT_SECRET: randomBytes(32).toString('hex'),
    SHUTDOWN_GRACE_MS: '3000',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...opts.env,
  };
  const child = spawn(process.execPath, [SERVER_ENTRY], { cwd: opts.env?.CWD ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = `${env.TLS && env.TLS !== 'off' ? 'https' : env.TLS_CERT_FILE ? 'https' : 'http'}://127.0.0.1:${port}`;

  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (!out.includes('Quorum is ready')) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${problems(out)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      // What it was doing when it stalled: the last lines, whatever their level.
      throw new Error(`server did not become ready:\n${problems(out)}\n--- last lines:\n${out.split('\n').slice(-12).join('\n').slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    databaseUrl,
    logs: () => out,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      if (databaseUrl && !opts.env?.DATABASE_URL) await dropDatabase(databaseUrl);
    },
  };
}

/** What a failed start printed, without the routine info lines. */
function problems(out: string): string {
  return out
    .split('\n')
    .filter((l) => !l.includes('"level":30'))
    .join('\n')
    .slice(-4000);
}

/** This machine's first non-loopback IPv4 address: what a colleague on the LAN would type. */
export function lanAddress(): string {
  const found = Object.values(networkInterfaces())
    .flatMap((l) => l ?? [])
    .find((i) => i.family === 'IPv4' && !i.internal)?.address;
  if (!found) throw new Error('this machine has no LAN address to test with');
  return found;
}
