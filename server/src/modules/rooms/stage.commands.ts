import { Injectable } from '@nestjs/common';
import type { CommandResults, ParsedCommandPayload } from '../../contract';
import { AppError } from '../../common/errors';
import { Command, type CommandContext } from '../../common/ws/command';
import type { LiveRoom, Peer } from './live/live-room';
import { GuestPassService } from '../guests/guest-pass.service';
import { RoomRegistry } from './live/room-registry';
import { outranks, type RoomAction } from './room-permissions';

type P<C extends keyof CommandResults & string> = ParsedCommandPayload<C>;
type R<C extends keyof CommandResults> = Promise<CommandResults[C]>;

/** Hands, stage, moderation, room options and the lobby. Every action is checked against the room's table. */
@Injectable()
export class StageCommands {
  constructor(
    private readonly registry: RoomRegistry,
    private readonly guests: GuestPassService,
  ) {}

  @Command('stage:raise-hand')
  async raiseHand(ctx: CommandContext): R<'stage:raise-hand'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    return { position: room.raiseHand(peer) };
  }

  @Command('stage:lower-hand')
  async lowerHand(ctx: CommandContext, p: P<'stage:lower-hand'>): R<'stage:lower-hand'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    const target = p.peerId && p.peerId !== peer.id ? this.target(room, peer, p.peerId, 'stage.manage') : peer;
    return { lowered: room.lowerHand(target) };
  }

  @Command('stage:promote')
  async promote(ctx: CommandContext, p: P<'stage:promote'>): R<'stage:promote'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    const target = this.target(room, peer, p.peerId, 'stage.manage');
    if (target.guest) throw new AppError('GUESTS_NOT_ALLOWED', 'Guests stay in the audience.');
    return { role: target.role, invited: room.invite(target, 'panelist') };
  }

  @Command('stage:respond')
  async respond(ctx: CommandContext, p: P<'stage:respond'>): R<'stage:respond'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    return { role: room.respond(peer, p.accept) };
  }

  @Command('stage:step-down')
  async stepDown(ctx: CommandContext): R<'stage:step-down'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    return { role: room.stepDown(peer) };
  }

  @Command('stage:demote')
  async demote(ctx: CommandContext, p: P<'stage:demote'>): R<'stage:demote'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    const target = this.target(room, peer, p.peerId, 'stage.manage');
    // An attendee still deciding: the invitation is withdrawn.
    if (!room.closeInvitation(target)) room.setRole(target, 'attendee');
    return { role: target.role };
  }

  @Command('participant:set-role')
  async setRole(ctx: CommandContext, p: P<'participant:set-role'>): R<'participant:set-role'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    const target = this.target(room, peer, p.peerId, 'participant.set-role');
    if (target.guest && p.role !== 'attendee') throw new AppError('GUESTS_NOT_ALLOWED', 'Guests stay in the audience.');
    room.setRole(target, p.role);
    return { role: target.role };
  }

  @Command('participant:mute')
  async mute(ctx: CommandContext, p: P<'participant:mute'>): R<'participant:mute'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    return { muted: await room.muteByHost(this.target(room, peer, p.peerId, 'participant.mute'), p.source) };
  }

  @Command('participant:mute-all')
  async muteAll(ctx: CommandContext): R<'participant:mute-all'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    room.assertCan(peer, 'participant.mute');
    let muted = 0;
    for (const other of [...room.peers.values()]) if (outranks(peer.role, other.role) && (await room.muteByHost(other, 'mic'))) muted++;
    return { muted };
  }

  @Command('participant:remove')
  async remove(ctx: CommandContext, p: P<'participant:remove'>): R<'participant:remove'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    const target = this.target(room, peer, p.peerId, 'participant.remove');
    await this.registry.removeUser(room, target.userId);
    // A removed guest's pass ends too: it opened nothing but this room.
    if (target.guest) await this.guests.revokeUser(target.userId);
    return { removed: true };
  }

  @Command('room:set-options')
  async setOptions(ctx: CommandContext, p: P<'room:set-options'>): R<'room:set-options'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    if (p.locked !== undefined) room.assertCan(peer, 'room.lock');
    if (p.lobby !== undefined) room.assertCan(peer, 'lobby.manage');
    if (p.allowSelfUnmute !== undefined) room.assertCan(peer, 'participant.mute');
    const options = room.setOptions(p);
    // Turning the lobby off lets everyone waiting in.
    if (p.lobby === false) this.registry.admit(room, 'all');
    return options;
  }

  @Command('room:end')
  async end(ctx: CommandContext): R<'room:end'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    room.assertCan(peer, 'room.end');
    await this.registry.endSession(room);
    return { ended: true };
  }

  @Command('lobby:admit')
  async admit(ctx: CommandContext, p: P<'lobby:admit'>): R<'lobby:admit'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    room.assertCan(peer, 'lobby.manage');
    return { admitted: this.registry.admit(room, 'all' in p ? 'all' : p.userIds) };
  }

  @Command('lobby:deny')
  async deny(ctx: CommandContext, p: P<'lobby:deny'>): R<'lobby:deny'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    room.assertCan(peer, 'lobby.manage');
    return { denied: this.registry.deny(room, p.userId) };
  }

  /** Someone else in the room whom the actor may act on: the role allows it and the actor outranks them. */
  private target(room: LiveRoom, actor: Peer, peerId: string, action: RoomAction): Peer {
    room.assertCan(actor, action);
    const target = room.peers.get(peerId);
    if (!target || !room.visibleTo(actor, target)) throw new AppError('NOT_FOUND', 'This person is not in the room.');
    if (target === actor || !outranks(actor.role, target.role)) throw new AppError('FORBIDDEN', 'You cannot do this to this person.');
    return target;
  }
}
