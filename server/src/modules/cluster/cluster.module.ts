import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { Logger } from 'pino';
import { DomainEvents } from '../../common/domain-events';
import { LOGGER } from '../../common/logging';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { InMemoryRoomDirectory, ROOM_DIRECTORY } from '../rooms/live/room-directory';
import { ClusterService } from './cluster.service';
import { connectRedis, REDIS, type Redis } from './redis';
import { RedisHealthIndicator } from './redis.health';
import { RedisRoomDirectory } from './room-leases';

/**
 * Several nodes sharing PostgreSQL and Redis (REDIS_URL), or one process on its own: the same
 * providers either way, the single-process ones when REDIS_URL is unset.
 */
@Global()
@Module({})
export class ClusterModule {
  static forRoot(config: AppConfig): DynamicModule {
    const cluster = config.cluster;
    return {
      module: ClusterModule,
      imports: [TerminusModule],
      providers: [
        { provide: REDIS, inject: [LOGGER], useFactory: (logger: Logger) => (cluster ? connectRedis(cluster.redisUrl, logger.child({ component: 'redis' })) : null) },
        {
          provide: ROOM_DIRECTORY,
          inject: [REDIS, LOGGER, DomainEvents, APP_CONFIG],
          useFactory: (redis: Redis | null, logger: Logger, events: DomainEvents) =>
            cluster && redis
              ? new RedisRoomDirectory(redis, cluster.keyPrefix, cluster.nodeId, cluster.leaseMs, logger.child({ component: 'leases' }), (roomId) => events.emit('room.lease-lost', { roomId }))
              : new InMemoryRoomDirectory(),
        },
        ClusterService,
        RedisHealthIndicator,
      ],
      exports: [REDIS, ROOM_DIRECTORY, ClusterService, RedisHealthIndicator],
    };
  }
}
