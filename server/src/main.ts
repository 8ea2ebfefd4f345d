import 'reflect-metadata';
import { startApp, type RunningApp } from './app';
import { createLogger } from './common/logging';
import { ConfigError, loadConfig } from './config/config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded';
import { assertWorkerPresent } from './modules/media/worker-binary';

/** The longest wait for the app to close (hooks, database pool) after the drain. */
const CLOSE_MS = 4_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  // A bug in one background task must not take every meeting down with it: log it and carry on.
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled promise rejection'));
  const missingWorker = assertWorkerPresent();
  if (missingWorker) {
    console.error(missingWorker);
    process.exit(69);
  }

  let embedded: EmbeddedDatabase | undefined;
  let app: RunningApp | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Every step below is bounded, so this only fires if the process is truly stuck.
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownGraceMs + CLOSE_MS + 10_000).unref();
    try {
      await app?.drain();
      // Closing waits for the database pool, which waits for queries stuck behind someone else's
      // lock: past the bound they are abandoned (their transactions roll back) and the process exits.
      const closed = app?.close().then(() => true);
      if (!(await Promise.race([closed, new Promise((r) => setTimeout(r, CLOSE_MS, false))]))) logger.warn({ waitedMs: CLOSE_MS }, 'stopped waiting for the app to close');
      await embedded?.stop();
    } finally {
      clearTimeout(force);
      logger.flush?.();
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, logger);
    databaseUrl = embedded.url;
  }
  app = await startApp(config, logger, databaseUrl);
  logger.info({ url: config.publicUrl, embeddedDatabase: !!embedded }, 'Quorum is ready');
}

main().catch((err: unknown) => {
  console.error('Quorum failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
