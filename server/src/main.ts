import 'reflect-metadata';
import { startApp, type RunningApp } from './app';
import { createLogger } from './common/logging';
import { ConfigError, loadConfig } from './config/config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded';
import { assertWorkerPresent } from './modules/media/worker-binary';

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
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownGraceMs + 5_000).unref();
    try {
      await app?.drain();
      await app?.close();
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
