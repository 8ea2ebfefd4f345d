import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { IdentityModule } from '../identity/identity.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { RoomsModule } from '../rooms/rooms.module';
import { AuditLog } from './audit-log';
import { BallotKeys } from './ballot-keys.service';
import { BallotsService } from './ballots.service';
import { GovernanceCommands } from './governance.commands';
import { GovernanceController } from './governance.controller';
import { MeetingAccess } from './meeting-access';
import { MeetingsService } from './meetings.service';
import { MinutesController } from './minutes.controller';
import { MinutesService } from './minutes.service';
import { MotionsService } from './motions.service';
import { RecordKeyController } from './record-key.controller';
import { RecordSigner } from './record-signer';
import { RollService } from './roll.service';
import { Sealer } from './seal';
import { VoteWriter } from './vote-writer';

/**
 * Formal decisions. Layers, each using only those below it: access (the meeting permission table) and
 * the audit log; the roll; motions; ballots and the vote writer; meetings and minutes (read views).
 */
@Module({
  imports: [IdentityModule, OrganizationsModule, RealtimeModule, RoomsModule],
  controllers: [GovernanceController, MinutesController, RecordKeyController],
  providers: [
    { provide: Sealer, useFactory: (c: AppConfig) => new Sealer(c.ballotSealKey), inject: [APP_CONFIG] },
    { provide: RecordSigner, useFactory: (c: AppConfig) => new RecordSigner(c.auditSigningKey), inject: [APP_CONFIG] },
    BallotKeys,
    MeetingAccess,
    AuditLog,
    RollService,
    MotionsService,
    BallotsService,
    VoteWriter,
    MeetingsService,
    GovernanceCommands,
    MinutesService,
  ],
  // One key custodian for secret ballots and anonymous polls; one writer of each meeting's record.
  exports: [BallotKeys, AuditLog],
})
export class GovernanceModule {}
