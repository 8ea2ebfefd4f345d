import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { RoomsModule } from '../rooms/rooms.module';
import { GovernanceModule } from '../governance/governance.module';
import { ChatService } from './chat.service';
import { EngagementCommands } from './engagement.commands';
import { PollsController } from './polls.controller';
import { PollsService } from './polls.service';
import { QuestionsService } from './questions.service';

/** Chat, Q&A, quick polls and reactions in live rooms. */
@Module({
  imports: [IdentityModule, RoomsModule, GovernanceModule],
  controllers: [PollsController],
  providers: [ChatService, QuestionsService, PollsService, EngagementCommands],
})
export class EngagementModule {}
