import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { WorkerPoolService } from './worker-pool.service';

/** Media health: degraded while a dead worker is being replaced, down when no worker can take a room. */
@Injectable()
export class MediaHealthIndicator {
  constructor(
    private readonly pool: WorkerPoolService,
    private readonly health: HealthIndicatorService,
  ) {}

  check(key = 'media') {
    const { workers } = this.pool.stats();
    const data = { workers: workers.length, alive: workers.filter((w) => w.alive).length };
    const indicator = this.health.check(key);
    if (this.pool.alive()) return indicator.up(data);
    return data.alive > 0 ? indicator.degraded(data) : indicator.down(data);
  }
}
