import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { RoomsModule } from '../rooms/rooms.module';
import { GovernanceCommands } from './governance.commands';
import { GovernanceController } from './governance.controller';
import { GovernanceService } from './governance.service';
import { MinutesController } from './minutes.controller';
import { MinutesService } from './minutes.service';
import { BallotKeys } from './ballot-keys.service';
import { RecordKeyController } from './record-key.controller';
import { VoteWriter } from './vote-writer';

@Module({
  imports: [IdentityModule, OrganizationsModule, RealtimeModule, RoomsModule],
  controllers: [GovernanceController, MinutesController, RecordKeyController],
  providers: [BallotKeys, GovernanceService, VoteWriter, GovernanceCommands, MinutesService],
  exports: [GovernanceService],
})
export class GovernanceModule {}
