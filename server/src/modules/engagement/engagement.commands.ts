import { Injectable } from '@nestjs/common';
import type { CommandResults, ParsedCommandPayload } from '../../contract';
import { AppError } from '../../common/errors';
import { Command, type CommandContext } from '../../common/ws/command';
import { RoomRegistry } from '../rooms/live/room-registry';
import { ChatService } from './chat.service';
import { PollsService } from './polls.service';
import { QuestionsService } from './questions.service';
import { RateLimits } from './rate-limits';

type P<C extends keyof CommandResults & string> = ParsedCommandPayload<C>;
type R<C extends keyof CommandResults> = Promise<CommandResults[C]>;

/** Chat, Q&A, polls and reactions inside the room the socket has joined (NOT_IN_ROOM otherwise). */
@Injectable()
export class EngagementCommands {
  /** Per peer: 3 reactions, then 1.5 a second. */
  private readonly reactionsPerPeer = new RateLimits(3, 1.5);
  /**
   * Per room: reactions are decoration, so in a large webinar the stream is capped (the fan-out is
   * this rate times the audience) and the surplus dropped, as a volatile emit may be anyway.
   */
  private readonly reactionsPerRoom = new RateLimits(30, 30);

  constructor(
    private readonly registry: RoomRegistry,
    private readonly chat: ChatService,
    private readonly questions: QuestionsService,
    private readonly polls: PollsService,
  ) {}

  @Command('chat:send')
  async chatSend(ctx: CommandContext, p: P<'chat:send'>): R<'chat:send'> {
    return this.chat.send(this.registry.seatOf(ctx.socket), p);
  }

  @Command('chat:history')
  async chatHistory(ctx: CommandContext, p: P<'chat:history'>): R<'chat:history'> {
    return this.chat.history(this.registry.seatOf(ctx.socket), p);
  }

  @Command('chat:delete')
  async chatDelete(ctx: CommandContext, p: P<'chat:delete'>): R<'chat:delete'> {
    return this.chat.delete(this.registry.seatOf(ctx.socket), p.messageId);
  }

  @Command('qa:ask')
  async ask(ctx: CommandContext, p: P<'qa:ask'>): R<'qa:ask'> {
    return this.questions.ask(this.registry.seatOf(ctx.socket), p);
  }

  @Command('qa:upvote')
  async upvote(ctx: CommandContext, p: P<'qa:upvote'>): R<'qa:upvote'> {
    return this.questions.upvote(this.registry.seatOf(ctx.socket), p.questionId);
  }

  @Command('qa:unvote')
  async unvote(ctx: CommandContext, p: P<'qa:unvote'>): R<'qa:unvote'> {
    return this.questions.unvote(this.registry.seatOf(ctx.socket), p.questionId);
  }

  @Command('qa:moderate')
  async moderate(ctx: CommandContext, p: P<'qa:moderate'>): R<'qa:moderate'> {
    return this.questions.moderate(this.registry.seatOf(ctx.socket), p);
  }

  @Command('qa:list')
  async listQuestions(ctx: CommandContext): R<'qa:list'> {
    return this.questions.list(this.registry.seatOf(ctx.socket));
  }

  @Command('poll:create')
  async createPoll(ctx: CommandContext, p: P<'poll:create'>): R<'poll:create'> {
    return this.polls.create(this.registry.seatOf(ctx.socket), p);
  }

  @Command('poll:open')
  async openPoll(ctx: CommandContext, p: P<'poll:open'>): R<'poll:open'> {
    return this.polls.open(this.registry.seatOf(ctx.socket), p.pollId);
  }

  @Command('poll:close')
  async closePoll(ctx: CommandContext, p: P<'poll:close'>): R<'poll:close'> {
    return this.polls.close(this.registry.seatOf(ctx.socket), p.pollId);
  }

  @Command('poll:vote')
  async vote(ctx: CommandContext, p: P<'poll:vote'>): R<'poll:vote'> {
    return this.polls.vote(this.registry.seatOf(ctx.socket), p);
  }

  @Command('poll:list')
  async listPolls(ctx: CommandContext): R<'poll:list'> {
    return this.polls.list(this.registry.seatOf(ctx.socket));
  }

  /** Not stored; a volatile emit to the others. `sent: false` when the room's stream was full. */
  @Command('reaction:send')
  async react(ctx: CommandContext, p: P<'reaction:send'>): R<'reaction:send'> {
    const { room, peer } = this.registry.seatOf(ctx.socket);
    room.assertCan(peer, 'reaction.send');
    if (!this.reactionsPerPeer.take(peer.id)) throw new AppError('RATE_LIMITED', 'Too many reactions. Wait a moment.');
    if (!this.reactionsPerRoom.take(room.roomId)) return { sent: false };
    this.registry.toOthers(room, peer, 'reaction:shown', { peerId: peer.id, emoji: p.emoji }, true);
    return { sent: true };
  }
}
