import { randomInt, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { CommandResults, ParsedCommandPayload } from '../../contract';
import { AppError } from '../../common/errors';
import { LOGGER } from '../../common/logging';
import { Command, type CommandContext } from '../../common/ws/command';
import { BreakoutLog } from './live/breakout-log';
import { openRound } from './live/breakout-round';
import type { LiveRoom, Peer } from './live/live-room';
import { RoomRegistry } from './live/room-registry';

type P<C extends keyof CommandResults & string> = ParsedCommandPayload<C>;
type R<C extends keyof CommandResults> = Promise<CommandResults[C]>;

const STAFF = new Set(['host', 'co-host']);

/**
 * Breakout groups of a meeting: hosts open a round (random, manual or chosen), move people, visit any
 * group, broadcast to all and call everyone back. The groups themselves are rules of the live room.
 */
@Injectable()
export class BreakoutCommands {
  constructor(
    private readonly registry: RoomRegistry,
    private readonly log: BreakoutLog,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Command('breakout:open')
  async open(ctx: CommandContext, p: P<'breakout:open'>): R<'breakout:open'> {
    const { room, peer } = this.managed(ctx);
    if (room.breakout) throw new AppError('BREAKOUT_ALREADY_OPEN', 'Breakout groups are already open; call everyone back first.');
    const people = [...room.peers.values()].map((x) => ({ userId: x.userId, staff: STAFF.has(x.role) }));
    const round = openRound(randomUUID(), p, people, new Date(), (n) => randomInt(n));
    const { sessionId, roomId } = room;
    room.groupLog = (e) => this.log.record({ sessionId, roomId, ...e });
    room.openBreakout(round, () => this.logger.info({ roomId, roundId: round.id }, 'breakout time up: everyone back in the main room'));
    // Answered once everyone's time in their group is recorded as started.
    await this.log.flush();
    ctx.log.info({ roomId, groups: p.groups, assignment: p.assignment, placed: round.placements.size }, 'breakout groups opened');
    return room.breakoutStateFor(peer)!;
  }

  @Command('breakout:move')
  async move(ctx: CommandContext, p: P<'breakout:move'>): R<'breakout:move'> {
    const { room, peer } = this.managed(ctx);
    if (!room.breakout) throw new AppError('BREAKOUT_NOT_OPEN', 'No breakout groups are open.');
    if (![...room.peers.values()].some((x) => x.userId === p.userId)) throw new AppError('NOT_FOUND', 'This person is not in the room.');
    room.moveToGroup(p.userId, p.group);
    await this.log.flush();
    return room.breakoutStateFor(peer)!;
  }

  @Command('breakout:choose')
  async choose(ctx: CommandContext, p: P<'breakout:choose'>): R<'breakout:choose'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    const round = room.breakout;
    if (!round) throw new AppError('BREAKOUT_NOT_OPEN', 'No breakout groups are open.');
    // Hosts go where they like; the others only when the round lets people choose.
    if (round.assignment !== 'choose' && !STAFF.has(peer.role))
      throw new AppError('FORBIDDEN', 'The host assigns the groups in this round.');
    room.moveToGroup(peer.userId, p.group);
    await this.log.flush();
    return room.breakoutStateFor(peer)!;
  }

  @Command('breakout:broadcast')
  async broadcast(ctx: CommandContext, p: P<'breakout:broadcast'>): R<'breakout:broadcast'> {
    const { room, peer } = this.managed(ctx);
    if (!room.breakout) throw new AppError('BREAKOUT_NOT_OPEN', 'No breakout groups are open.');
    this.registry.toOthers(room, null, 'breakout:broadcast', { from: peer.displayName, text: p.text, at: new Date().toISOString() });
    return { sent: true };
  }

  @Command('breakout:close')
  async close(ctx: CommandContext): R<'breakout:close'> {
    const { room } = this.managed(ctx);
    const closed = room.closeBreakout();
    await this.log.flush();
    return { closed };
  }

  /** The caller's seat, when they may run breakout groups here (hosts and co-hosts of a meeting). */
  private managed(ctx: CommandContext): { room: LiveRoom; peer: Peer } {
    const seat = this.registry.seatOf(ctx.socket);
    if (seat.room.mode !== 'meeting') throw new AppError('FORBIDDEN', 'Breakout groups are for meetings, not webinars.');
    seat.room.assertCan(seat.peer, 'breakout.manage');
    return seat;
  }
}
