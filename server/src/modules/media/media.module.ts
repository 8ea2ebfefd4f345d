import { type DynamicModule, type FactoryProvider, type ModuleMetadata, type Provider, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { MEDIA_CONFIG, type MediaConfig } from './media-config';
import { MediaHealthIndicator } from './media.health';
import { WorkerPoolService } from './worker-pool.service';

export interface MediaModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: FactoryProvider['inject'];
  useFactory: FactoryProvider<MediaConfig | Promise<MediaConfig>>['useFactory'];
}

/** mediasoup workers and their health. The importing module supplies the config. */
@Module({})
export class MediaModule {
  static forRoot(config: MediaConfig): DynamicModule {
    return MediaModule.build([], { provide: MEDIA_CONFIG, useValue: config });
  }

  /** For a config that is itself a provider (e.g. the config module's parsed env). */
  static forRootAsync({ imports = [], inject = [], useFactory }: MediaModuleAsyncOptions): DynamicModule {
    return MediaModule.build(imports, { provide: MEDIA_CONFIG, inject, useFactory });
  }

  private static build(imports: NonNullable<ModuleMetadata['imports']>, config: Provider): DynamicModule {
    return {
      module: MediaModule,
      imports: [TerminusModule, ...imports],
      providers: [config, WorkerPoolService, MediaHealthIndicator],
      exports: [WorkerPoolService, MediaHealthIndicator],
    };
  }
}
