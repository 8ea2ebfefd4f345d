import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createDatabase, dropDatabase, type StartedServer, startServer } from '../helpers/server-process';
import { killHard, killQuietly, mediasoupWorkers, onExit } from './processes';

/**
 * A server that can be killed and started again on the same database with the same secrets, so that
 * tokens, sealed receipts and sealed choices written before a crash are still valid after it.
 */
export class FaultServer {
  private constructor(
    private server: StartedServer,
    readonly databaseUrl: string,
    private readonly env: Record<string, string>,
    private readonly ownsDatabase: boolean,
    private readonly forget: () => void,
  ) {}

  /** Restarts so far, and processes of killed servers whose workers did not exit by themselves. */
  restarts = 0;
  orphans: number[] = [];

  static async start(opts: { databaseUrl?: string; env?: Record<string, string> } = {}): Promise<FaultServer> {
    const databaseUrl = opts.databaseUrl ?? (await createDatabase());
    const env = {
      DATABASE_URL: databaseUrl,
      JWT_SECRET: randomBytes(32).toString('hex'),
      BALLOT_SEAL_KEY: randomBytes(32).toString('base64url'),
      // Kept across restarts of this fixture, like a server's data folder.
      BALLOT_KEY_DIR: mkdtempSync(path.join(tmpdir(), 'quorum-ballot-keys-')),
      // The long profile runs for half an hour on the same sign-ins.
      ACCESS_TOKEN_TTL_SECONDS: '86400',
      ...opts.env,
    };
    let server: StartedServer;
    try {
      server = await startServer({ env });
    } catch (err) {
      if (!opts.databaseUrl) await dropDatabase(databaseUrl);
      throw err;
    }
    const fs: FaultServer = new FaultServer(server, databaseUrl, env, !opts.databaseUrl, onExit(() => fs.killNow()));
    return fs;
  }

  /** Synchronous SIGKILL of the process and its workers (exit-time cleanup). */
  killNow(): void {
    const pid = this.server.process.pid;
    if (!pid || !this.alive()) return;
    for (const w of mediasoupWorkers(pid)) killQuietly(w);
    killQuietly(pid);
  }

  get url(): string {
    return this.server.url;
  }

  /** The BALLOT_SEAL_KEY of every process of this fixture (base64url), to open sealed rows in checks. */
  get sealKey(): string {
    return this.env.BALLOT_SEAL_KEY!;
  }

  /** Where this fixture's servers keep the keys of open secret ballots. */
  get ballotKeyDir(): string {
    return this.env.BALLOT_KEY_DIR!;
  }

  get pid(): number {
    return this.server.process.pid!;
  }

  get process() {
    return this.server.process;
  }

  logs(): string {
    return this.server.logs();
  }

  /** GET /health: status 0 when nothing answers. */
  async health(): Promise<{ status: number; body: any }> {
    try {
      const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(5_000) });
      return { status: res.status, body: await res.json().catch(() => null) };
    } catch (err) {
      return { status: 0, body: String(err) };
    }
  }

  alive(): boolean {
    return this.server.process.exitCode === null && this.server.process.signalCode === null;
  }

  /**
   * kill -9, then (after `beforeRestart`, e.g. looking at the database as the crash left it) start again
   * on the same database. `killToReadyMs`: how long the service was gone, the pause excluded.
   */
  async crashAndRestart(beforeRestart?: () => Promise<void> | void): Promise<{ killToReadyMs: number; orphans: number[] }> {
    const killedAt = Date.now();
    const { orphans } = await killHard(this.server.process);
    this.orphans.push(...orphans);
    const paused = Date.now();
    await beforeRestart?.();
    const pauseMs = Date.now() - paused;
    await this.restart();
    return { killToReadyMs: Date.now() - killedAt - pauseMs, orphans };
  }

  /** Starts a new process on the same database (the previous one must have exited). */
  async restart(): Promise<void> {
    // Its RTC port block is checked free, but another process on the machine can take it before the
    // worker binds it: then another block.
    for (let attempt = 1; ; attempt++) {
      try {
        this.server = await startServer({ env: this.env });
        break;
      } catch (err) {
        if (attempt === 3 || !/address already in use/.test(String(err))) throw err;
      }
    }
    this.restarts++;
  }

  /** SIGTERM (drain), then drops the database if this fixture created it. */
  async stop(): Promise<void> {
    try {
      if (this.alive()) await this.server.stop();
    } finally {
      this.forget();
      if (this.ownsDatabase) await dropDatabase(this.databaseUrl).catch(() => undefined);
    }
  }
}
