import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { RoomsModule } from '../rooms/rooms.module';
import { CaptionsCommands } from './captions.commands';
import { CaptionsController } from './captions.controller';
import { CaptionsService } from './captions.service';
import { LiveCaptions } from './live-captions.service';

/**
 * Live captions: captioners and automatic captions in live rooms, every line kept per session, and
 * WebVTT per session and language. `CaptionsService.webVtt` / `languages` are what recordings read.
 */
@Module({
  imports: [IdentityModule, OrganizationsModule, RoomsModule],
  controllers: [CaptionsController],
  providers: [CaptionsService, LiveCaptions, CaptionsCommands],
  exports: [CaptionsService],
})
export class CaptionsModule {}
