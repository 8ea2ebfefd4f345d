import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../../common/logging';
import { MEDIA_CONFIG, type MediaConfig } from './media-config';
import { WorkerPool } from './worker-pool';

/** The app's WorkerPool: workers start with the module and stop with the app. */
@Injectable()
export class WorkerPoolService extends WorkerPool implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(MEDIA_CONFIG) config: MediaConfig, @Optional() @Inject(LOGGER) logger?: Logger) {
    super(config, logger?.child({ component: 'media' }));
  }

  onModuleInit(): Promise<void> {
    return this.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
