import { Injectable } from '@nestjs/common';
import type { CommandResults, ParsedCommandPayload } from '../../contract';
import { AppError } from '../../common/errors';
import { Command, type CommandContext } from '../../common/ws/command';
import type { Peer } from '../rooms/live/live-room';
import { RoomRegistry } from '../rooms/live/room-registry';
import { mayCaption, typedCue } from './caption-rules';
import { CaptionsService } from './captions.service';
import { LiveCaptions } from './live-captions.service';

type P<C extends keyof CommandResults & string> = ParsedCommandPayload<C>;
type R<C extends keyof CommandResults> = Promise<CommandResults[C]>;

/** Captioners (assigned by hosts), their lines, and the hosts' switch for automatic captions. */
@Injectable()
export class CaptionsCommands {
  constructor(
    private readonly registry: RoomRegistry,
    private readonly captions: CaptionsService,
    private readonly live: LiveCaptions,
  ) {}

  @Command('captions:state')
  async state(ctx: CommandContext): R<'captions:state'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    room.assertCan(peer, 'captions.view');
    return this.live.stateFor(room, peer);
  }

  @Command('captions:assign')
  async assign(ctx: CommandContext, p: P<'captions:assign'>): R<'captions:assign'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    room.assertCan(peer, 'captions.manage');
    const entry = await this.live.entryOf(room);
    const captioners = await this.captions.assign(room.roomId, peer.userId, p.userId, p.language);
    this.live.setCaptioners(entry, captioners);
    return { captioners };
  }

  @Command('captions:unassign')
  async unassign(ctx: CommandContext, p: P<'captions:unassign'>): R<'captions:unassign'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    room.assertCan(peer, 'captions.manage');
    const entry = await this.live.entryOf(room);
    const captioners = await this.captions.unassign(room.roomId, p.userId, p.language);
    this.live.setCaptioners(entry, captioners);
    return { captioners };
  }

  @Command('captions:partial')
  async partial(ctx: CommandContext, p: P<'captions:partial'>): R<'captions:partial'> {
    const { room, peer } = await this.captioner(ctx, p.language);
    this.live.broadcastPartial(room, { key: peer.id, language: p.language, text: p.text.slice(0, 500), speaker: peer.displayName, source: 'typed', group: room.groupOf(peer.userId) }, peer);
    return { shown: true };
  }

  @Command('captions:line')
  async line(ctx: CommandContext, p: P<'captions:line'>): R<'captions:line'> {
    const { room, peer } = await this.captioner(ctx, p.language);
    const cue = typedCue(Date.now(), await this.captions.sessionStart(room.sessionId), p.text);
    const line = await this.live.commit(
      room,
      { language: p.language, text: p.text, speaker: peer.displayName, authorId: peer.userId, source: 'typed', group: room.groupOf(peer.userId), clientRequestId: p.clientRequestId, ...cue },
      peer,
    );
    this.live.broadcastPartial(room, { key: peer.id, language: p.language, text: '', speaker: peer.displayName, source: 'typed', group: line.group }, peer);
    return line;
  }

  @Command('captions:automatic')
  async automatic(ctx: CommandContext, p: P<'captions:automatic'>): R<'captions:automatic'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    room.assertCan(peer, 'captions.manage');
    const entry = await this.live.entryOf(room);
    const language = p.language ?? entry.automatic.language;
    const reason = p.enabled ? await this.live.reasonAgainst(language) : null;
    if (reason) throw new AppError('AUTO_CAPTIONS_UNAVAILABLE', `Automatic captions cannot run here: ${reason}.`, { reason });
    await this.captions.setAutomatic(room.roomId, peer.userId, p.enabled, language);
    this.live.applyAutomatic(entry, p.enabled, language);
    return this.live.automaticOf(entry);
  }

  /** The seat of someone assigned to caption into `language` here; NOT_CAPTIONER otherwise. */
  private async captioner(ctx: CommandContext, language: P<'captions:line'>['language']): Promise<{ room: ReturnType<RoomRegistry['seatOf']>['room']; peer: Peer }> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    const entry = await this.live.entryOf(room);
    if (peer.guest || !mayCaption(entry.captioners, peer.userId, language)) throw new AppError('NOT_CAPTIONER', 'You are not a captioner of this room in this language.');
    return { room, peer };
  }
}
