import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { MEDIA_CONFIG, type MediaConfig } from './media-config';
import { WorkerPool } from './worker-pool';

/** The app's WorkerPool: workers start with the module and stop with the app. */
@Injectable()
export class WorkerPoolService extends WorkerPool implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(MEDIA_CONFIG) config: MediaConfig) {
    super(config, new Logger(WorkerPool.name));
  }

  onModuleInit(): Promise<void> {
    return this.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
