import { Module } from '@nestjs/common';
import { OrganizationsModule } from '../organizations/organizations.module';
import { GuestsModule } from '../guests/guests.module';
import { IdentityModule } from '../identity/identity.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { EventsModule } from '../events/events.module';
import { AttendanceWriter } from './live/attendance-writer';
import { BreakoutLog } from './live/breakout-log';
import { BreakoutCommands } from './breakout.commands';
import { EdgeMediaService } from './live/edge-media.service';
import { RoomRegistry } from './live/room-registry';
import { MediaCommands } from './media.commands';
import { StageCommands } from './stage.commands';
import { InterpretationCommands } from './interpretation.commands';
import { InterpretationService } from './interpretation.service';
import { GuestsController } from './guests.controller';
import { RoomsController } from './rooms.controller';
import { RoomsService } from './rooms.service';

@Module({
  imports: [IdentityModule, GuestsModule, OrganizationsModule, RealtimeModule, EventsModule],
  controllers: [RoomsController, GuestsController],
  providers: [RoomsService, RoomRegistry, EdgeMediaService, AttendanceWriter, BreakoutLog, MediaCommands, StageCommands, BreakoutCommands, InterpretationService, InterpretationCommands],
  exports: [RoomsService, RoomRegistry],
})
export class RoomsModule {}
