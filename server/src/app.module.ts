import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DomainEvents } from './common/domain-events';
import { LOGGER } from './common/logging';
import { APP_CONFIG, type AppConfig } from './config/config';
import { dataSourceOptions } from './database/data-source';
import { ClusterModule } from './modules/cluster/cluster.module';
import { EngagementModule } from './modules/engagement/engagement.module';
import { IdentityModule } from './modules/identity/identity.module';
import { MediaModule } from './modules/media/media.module';
import { OpsModule } from './modules/ops/ops.module';
import { OrganizationsModule } from './modules/organizations/organizations.module';
import { RealtimeModule } from './modules/realtime/realtime.module';
import { RoomsModule } from './modules/rooms/rooms.module';
import { GovernanceModule } from './modules/governance/governance.module';
import { EventsModule } from './modules/events/events.module';
import { CertificatesModule } from './modules/certificates/certificates.module';
import { InstitutionalSignInModule } from './modules/institutional-sign-in/institutional-sign-in.module';
import { CaptionsModule } from './modules/captions/captions.module';
import { ArchiveModule } from './modules/archive/archive.module';
import { RecordingsModule } from './modules/recordings/recordings.module';

@Global()
@Module({})
class CoreModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        DomainEvents,
      ],
      exports: [APP_CONFIG, LOGGER, DomainEvents],
    };
  }
}

@Module({})
export class AppModule {
  /** `databaseUrl` is resolved by the caller (embedded or external) before the app is built. */
  static forRoot(config: AppConfig, logger: Logger, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, logger),
        TypeOrmModule.forRoot({ ...dataSourceOptions(databaseUrl), retryAttempts: 2, retryDelay: 1_000 }),
        OpsModule,
        ClusterModule.forRoot(config),
        { ...MediaModule.forRoot(config.media), global: true },
        IdentityModule,
        OrganizationsModule,
        RealtimeModule,
        RoomsModule,
        GovernanceModule,
        EngagementModule,
        EventsModule,
        CertificatesModule,
        InstitutionalSignInModule,
        CaptionsModule,
        ArchiveModule,
        RecordingsModule,
      ],
    };
  }
}
