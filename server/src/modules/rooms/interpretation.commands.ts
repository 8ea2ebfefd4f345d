import { Injectable } from '@nestjs/common';
import type { CommandResults, ParsedCommandPayload } from '../../contract';
import { Command, type CommandContext } from '../../common/ws/command';
import type { LiveRoom } from './live/live-room';
import { RoomRegistry } from './live/room-registry';
import { InterpretationService } from './interpretation.service';

type P<C extends keyof CommandResults & string> = ParsedCommandPayload<C>;
type R<C extends keyof CommandResults> = Promise<CommandResults[C]>;

/** Interpreters (assigned by hosts), what each listener hears, and hand-overs within a booth. */
@Injectable()
export class InterpretationCommands {
  constructor(
    private readonly registry: RoomRegistry,
    private readonly interpretation: InterpretationService,
  ) {}

  @Command('interpretation:assign')
  async assign(ctx: CommandContext, p: P<'interpretation:assign'>): R<'interpretation:assign'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    room.assertCan(peer, 'interpretation.manage');
    const interpreters = await this.interpretation.assign(room.roomId, peer.userId, {
      userId: p.userId,
      from: p.from,
      to: p.to,
      twoWay: p.twoWay ?? false,
    });
    room.setInterpreters(interpreters);
    return { interpreters };
  }

  @Command('interpretation:unassign')
  async unassign(ctx: CommandContext, p: P<'interpretation:unassign'>): R<'interpretation:unassign'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    room.assertCan(peer, 'interpretation.manage');
    const interpreters = await this.interpretation.unassign(room.roomId, p.userId);
    room.setInterpreters(interpreters);
    return { interpreters };
  }

  @Command('interpretation:listen')
  async listen(ctx: CommandContext, p: P<'interpretation:listen'>): R<'interpretation:listen'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    return room.listen(peer, p.channel, p.floorVolume);
  }

  @Command('interpretation:hand-over')
  async handOver(ctx: CommandContext, p: P<'interpretation:hand-over'>): R<'interpretation:hand-over'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    return { channel: p.channel, live: await room.handOver(peer, p.channel, p.peerId) };
  }

  /** The room's stored interpreters, read once per live session (and kept up to date by assign/unassign). */
  async ensureLoaded(room: LiveRoom): Promise<void> {
    if (!room.interpretersLoaded) room.setInterpreters(await this.interpretation.list(room.roomId));
  }
}
