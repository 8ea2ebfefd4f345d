import { Injectable } from '@nestjs/common';
import type { CommandResults, ParsedCommandPayload } from '../../contract';
import { AppError } from '../../common/errors';
import { Command, type CommandContext } from '../../common/ws/command';
import { EventAccess } from '../events/event-access';
import { RoomRegistry } from './live/room-registry';
import { RoomsService } from './rooms.service';
import { InterpretationCommands } from './interpretation.commands';

type P<C extends keyof CommandResults & string> = ParsedCommandPayload<C>;
type R<C extends keyof CommandResults> = Promise<CommandResults[C]>;

/** Room presence and media signalling. Every media command acts only on the caller's own objects. */
@Injectable()
export class MediaCommands {
  constructor(
    private readonly rooms: RoomsService,
    private readonly registry: RoomRegistry,
    private readonly eventAccess: EventAccess,
    private readonly interpretation: InterpretationCommands,
  ) {}

  @Command('room:join')
  async join(ctx: CommandContext, p: P<'room:join'>): R<'room:join'> {
    const guest = ctx.socket.data.guest;
    if (guest) {
      // A guest pass opens its own room, as an attendee, under the name given for it.
      if (p.roomId !== guest.roomId) throw new AppError('NOT_FOUND', 'Room not found.');
      const room = await this.rooms.guestRoom(p.roomId);
      await this.eventAccess.checkJoin(null, room.id, 'attendee');
      return this.withInterpretation(ctx, await this.registry.join(ctx.socket, room, guest.displayName, 'attendee'));
    }
    // Always the account's name: a chosen one would let anyone appear in chat and attendance as someone else.
    const { room, displayName, role } = await this.rooms.entrance(ctx.principal.userId, p.roomId, p.inviteToken);
    // While a session of a registration-only event is held here, the door asks for a confirmed registration.
    await this.eventAccess.checkJoin(ctx.principal.userId, room.id, role);
    return this.withInterpretation(ctx, await this.registry.join(ctx.socket, room, displayName, role));
  }

  /** The room's interpreters are stored: the first join of a session reads them before answering. */
  private async withInterpretation(ctx: CommandContext, joined: CommandResults['room:join']): R<'room:join'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    await this.interpretation.ensureLoaded(room);
    return { ...joined, interpretation: room.interpretationState(peer) };
  }

  @Command('room:leave')
  async leave(ctx: CommandContext): R<'room:leave'> {
    return { left: await this.registry.leave(ctx.socket) };
  }

  @Command('media:create-transport')
  async createTransport(ctx: CommandContext, p: P<'media:create-transport'>): R<'media:create-transport'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    return room.createTransport(peer, p.direction);
  }

  @Command('media:connect-transport')
  async connectTransport(ctx: CommandContext, p: P<'media:connect-transport'>): R<'media:connect-transport'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    await room.connectTransport(peer, p.transportId, p.dtlsParameters);
    return { connected: true };
  }

  @Command('media:restart-ice')
  async restartIce(ctx: CommandContext, p: P<'media:restart-ice'>): R<'media:restart-ice'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    return { iceParameters: await room.restartIce(peer, p.transportId) };
  }

  @Command('media:produce')
  async produce(ctx: CommandContext, p: P<'media:produce'>): R<'media:produce'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    if (p.channel) await this.interpretation.ensureLoaded(room);
    return { producerId: await room.produce(peer, p) };
  }

  @Command('media:consume')
  async consume(ctx: CommandContext, p: P<'media:consume'>): R<'media:consume'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    return room.consume(peer, p.transportId, p.producerId, p.rtpCapabilities);
  }

  @Command('media:resume-consumer')
  async resumeConsumer(ctx: CommandContext, p: P<'media:resume-consumer'>): R<'media:resume-consumer'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    await room.resumeConsumer(peer, p.consumerId);
    return { resumed: true };
  }

  @Command('media:set-preferred-layers')
  async setPreferredLayers(ctx: CommandContext, p: P<'media:set-preferred-layers'>): R<'media:set-preferred-layers'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    return room.setPreferredLayers(peer, p.consumerId, p.spatialLayer, p.temporalLayer);
  }

  @Command('media:pause-producer')
  async pauseProducer(ctx: CommandContext, p: P<'media:pause-producer'>): R<'media:pause-producer'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    await room.pauseProducer(peer, p.producerId);
    return { paused: true };
  }

  @Command('media:resume-producer')
  async resumeProducer(ctx: CommandContext, p: P<'media:resume-producer'>): R<'media:resume-producer'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    await room.resumeProducer(peer, p.producerId);
    return { paused: false };
  }

  @Command('media:close-producer')
  async closeProducer(ctx: CommandContext, p: P<'media:close-producer'>): R<'media:close-producer'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    room.closeProducer(peer, p.producerId);
    return { closed: true };
  }
}
