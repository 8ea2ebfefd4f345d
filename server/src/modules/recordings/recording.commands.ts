import { Injectable } from '@nestjs/common';
import type { CommandResults, ParsedCommandPayload } from '../../contract';
import { Command, type CommandContext } from '../../common/ws/command';
import { RoomRegistry } from '../rooms/live/room-registry';
import { RecordingsService } from './recordings.service';

type P<C extends keyof CommandResults & string> = ParsedCommandPayload<C>;
type R<C extends keyof CommandResults> = Promise<CommandResults[C]>;

/** Recording of the room the socket sits in: hosts start, stop and resume it; anyone reads its state. */
@Injectable()
export class RecordingCommands {
  constructor(
    private readonly registry: RoomRegistry,
    private readonly recordings: RecordingsService,
  ) {}

  @Command('recording:start')
  async start(ctx: CommandContext, p: P<'recording:start'>): R<'recording:start'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    return this.recordings.start(room, peer, p.clientRequestId, p.layout);
  }

  @Command('recording:stop')
  async stop(ctx: CommandContext): R<'recording:stop'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    return this.recordings.stop(room, peer);
  }

  @Command('recording:resume')
  async resume(ctx: CommandContext): R<'recording:resume'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    return this.recordings.resume(room, peer);
  }

  @Command('recording:state')
  async state(ctx: CommandContext): R<'recording:state'> {
    const { room } = this.registry.seatOf(ctx.socket);
    return this.recordings.stateOf(room);
  }
}
