import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../../common/logging';
import { MetricsService } from '../ops/metrics.service';
import { MEDIA_CONFIG, type MediaConfig } from './media-config';
import { WorkerPool } from './worker-pool';

/** The app's WorkerPool: workers start with the module and stop with the app. */
@Injectable()
export class WorkerPoolService extends WorkerPool implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(MEDIA_CONFIG) config: MediaConfig, @Optional() @Inject(LOGGER) logger?: Logger, @Optional() metrics?: MetricsService) {
    super(config, logger?.child({ component: 'media' }));
    metrics?.gauge('quorum_mediasoup_workers', 'mediasoup worker processes alive', () => this.stats().workers.filter((w) => w.alive).length);
    // Each replacement counted, so an operator can alert on a worker that keeps dying.
    this.on('workerReplaced', () => metrics?.workerReplacements.inc());
  }

  onModuleInit(): Promise<void> {
    return this.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
