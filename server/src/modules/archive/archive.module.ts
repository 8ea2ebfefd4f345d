import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { GovernanceModule } from '../governance/governance.module';
import { IdentityModule } from '../identity/identity.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { ArchiveController, PublicArchiveController } from './archive.controller';
import { ArchiveService } from './archive.service';
import { RecordingArchiver } from './recording-archiver.service';

/**
 * The archive of recordings: catalogue metadata (Dublin Core), access, playback files, retention,
 * deletion with tombstones, and BagIt preservation packages. Recordings come from the recorder, which
 * says `recording.ready` when a recording's files are written and registered.
 */
@Module({
  imports: [IdentityModule, OrganizationsModule, EventsModule, GovernanceModule],
  controllers: [PublicArchiveController, ArchiveController],
  providers: [ArchiveService, RecordingArchiver],
  exports: [ArchiveService, RecordingArchiver],
})
export class ArchiveModule {}
