import type { Logger } from 'pino';
import { createClient, type RedisClientType } from 'redis';

export type Redis = RedisClientType;

/** The shared Redis connection; null when this process runs alone (no REDIS_URL). */
export const REDIS = Symbol('REDIS');

/**
 * Connects before the app goes on: a node that cannot reach Redis must not start serving rooms it
 * could not lease. Afterwards the client reconnects by itself; errors are logged, not thrown.
 */
export async function connectRedis(url: string, logger: Logger): Promise<Redis> {
  const client: Redis = createClient({ url, socket: { reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 1_000), connectTimeout: 5_000 } });
  let lastLogged = 0;
  client.on('error', (err: unknown) => {
    // A Redis outage repeats this every reconnect attempt: once a few seconds is enough.
    if (Date.now() - lastLogged < 5_000) return;
    lastLogged = Date.now();
    logger.error({ err }, 'redis connection error');
  });
  await client.connect();
  return client;
}
