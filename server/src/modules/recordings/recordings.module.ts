import { Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { CaptionsModule } from '../captions/captions.module';
import { CaptionsService } from '../captions/captions.service';
import { AuditLog } from '../governance/audit-log';
import { RecordSigner } from '../governance/record-signer';
import { RoomsModule } from '../rooms/rooms.module';
import { RecordingCommands } from './recording.commands';
import { recordingCaptions } from './recording-captions';
import { RECORDING_CAPTIONS, RecordingsService } from './recordings.service';

/**
 * Recording of live rooms: each stream written as it arrives, composed after the stop. The listing,
 * playback and retention of recordings are the archive's; it hears of each one by `recording.ready`.
 * Start and stop of a formal meeting's recording go into the meeting's record (its audit chain).
 */
@Module({
  imports: [RoomsModule, CaptionsModule],
  providers: [
    // A recording carries the live captions of its session, cut to its span.
    { provide: RECORDING_CAPTIONS, useFactory: recordingCaptions, inject: [getDataSourceToken(), CaptionsService] },
    { provide: RecordSigner, useFactory: (c: AppConfig) => new RecordSigner(c.auditSigningKey), inject: [APP_CONFIG] },
    AuditLog,
    RecordingsService,
    RecordingCommands,
  ],
  exports: [RecordingsService],
})
export class RecordingsModule {}
