import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../../common/logging';
import { MetricsService } from '../ops/metrics.service';
import { MEDIA_CONFIG, type MediaConfig } from './media-config';
import { WorkerPool } from './worker-pool';

/**
 * The app's WorkerPool: workers start being spawned as soon as the pool is built, alongside the rest
 * of the boot (database connection, migrations), and the module is ready once they are up; they
 * stop with the app.
 */
@Injectable()
export class WorkerPoolService extends WorkerPool implements OnModuleInit, OnApplicationShutdown {
  private readonly started: Promise<unknown>;

  constructor(@Inject(MEDIA_CONFIG) config: MediaConfig, @Optional() @Inject(LOGGER) logger?: Logger, @Optional() metrics?: MetricsService) {
    super(config, logger?.child({ component: 'media' }));
    metrics?.gauge('quorum_mediasoup_workers', 'mediasoup worker processes alive', () => this.stats().workers.filter((w) => w.alive).length);
    // Summed over the live workers of this process: what a room spilling over to other workers costs.
    const total = (key: 'routers' | 'consumers' | 'pipeTransports' | 'pipeProducers') => () =>
      this.stats().workers.reduce((sum, w) => sum + (w.alive ? w[key] : 0), 0);
    metrics?.gauge('quorum_mediasoup_routers', 'mediasoup routers (a room has one per worker it spans)', total('routers'));
    metrics?.gauge('quorum_mediasoup_consumers', 'mediasoup consumers, pipe consumers included', total('consumers'));
    metrics?.gauge('quorum_mediasoup_pipe_transports', 'Pipe transports linking the routers of rooms that span workers', total('pipeTransports'));
    metrics?.gauge('quorum_mediasoup_pipe_producers', 'Producers piped into a router on another worker', total('pipeProducers'));
    // Each replacement counted, so an operator can alert on a worker that keeps dying.
    this.on('workerReplaced', () => metrics?.workerReplacements.inc());
    // Settled here so that a failure surfaces in onModuleInit, not as an unhandled rejection meanwhile.
    this.started = this.start().then(
      () => undefined,
      (err: unknown) => ({ err }),
    );
  }

  async onModuleInit(): Promise<void> {
    const failed = (await this.started) as { err: unknown } | undefined;
    if (failed) throw failed.err;
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
