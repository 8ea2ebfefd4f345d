import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../../common/logging';
import { type CastReceipt, type Choice, type CommandResults, type ParsedCommandPayload, BALLOT_CHOICES } from '../../contract';
import { AppError } from '../../common/errors';
import { Command, type CommandContext } from '../../common/ws/command';
import { Coalescer } from '../engagement/coalescer';
import { RealtimeGateway } from '../realtime/realtime.gateway';
import { RoomRegistry } from '../rooms/live/room-registry';
import { BallotsService } from './ballots.service';
import { DomainEvents } from '../../common/domain-events';
import { MeetingAccess } from './meeting-access';
import { MeetingsService } from './meetings.service';
import { RollService } from './roll.service';
import type { BallotRow, RollSeat } from './rows';
import { VoteWriter } from './vote-writer';

/** Presence-driven quorum updates of one room: at most one read of its meetings per this interval. */
const PRESENCE_GAP_MS = 250;

type P<C extends keyof CommandResults & string> = ParsedCommandPayload<C>;
type R<C extends keyof CommandResults> = Promise<CommandResults[C]>;

/** Casting, and the live feed of a meeting (ballots, turnout, quorum) to the sockets watching it. */
@Injectable()
export class GovernanceCommands implements OnModuleInit {
  private readonly turnoutTimers = new Map<string, NodeJS.Timeout>();
  /**
   * Open ballots with their frozen roll, so a cast costs no read before the write. The roll cannot
   * change while a ballot is open; a stale "open" is harmless because the writer re-checks the status
   * under lock and answers BALLOT_CLOSED.
   */
  private readonly open = new Map<string, Promise<{ ballot: BallotRow; seats: Map<string, RollSeat> }>>();

  constructor(
    private readonly access: MeetingAccess,
    private readonly meetings: MeetingsService,
    private readonly roll: RollService,
    private readonly ballots: BallotsService,
    private readonly events: DomainEvents,
    private readonly writer: VoteWriter,
    private readonly gateway: RealtimeGateway,
    private readonly rooms: RoomRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    const to = (meetingId: string) => this.gateway.server.to(`meeting:${meetingId}`);
    this.events.on('ballot.changed', ({ meetingId, event, ballot }) => {
      if (event !== 'ballot:opened') this.open.delete(ballot.id);
      to(meetingId).emit(event, ballot);
    });
    this.events.on('motion.changed', ({ meetingId, motion }) => to(meetingId).emit('motion:changed', { meetingId, motion }));
    const failed = (err: unknown) => this.logger.warn({ err }, 'live meeting update failed');
    this.events.on('meeting.quorum', ({ meetingId }) => void this.pushQuorum(meetingId).catch(failed));
    // Counts only, a few times a second at most, whatever the voting rate.
    this.events.on('ballot.turnout', ({ meetingId, ballotId }) => {
      if (this.turnoutTimers.has(ballotId)) return;
      this.turnoutTimers.set(
        ballotId,
        setTimeout(() => {
          this.turnoutTimers.delete(ballotId);
          void this.ballots
            .view(ballotId)
            .then((b) => b.turnout && to(meetingId).emit('ballot:turnout', { ballotId, ...b.turnout }))
            .catch(failed);
        }, 250).unref(),
      );
    });
    // A room filling up (a thousand people back after a restart) reads its meetings a few times a second, not once a join.
    const presence = new Coalescer(failed, PRESENCE_GAP_MS);
    this.events.on('room.presence', ({ roomId }) => presence.request(roomId, () => this.pushQuorumOfRoom(roomId)));
  }

  @Command('meeting:watch')
  async watch(ctx: CommandContext, p: P<'meeting:watch'>): R<'meeting:watch'> {
    const meeting = await this.access.member(ctx.principal.userId, p.meetingId);
    await ctx.socket.join(`meeting:${meeting.id}`);
    const view = await this.meetings.view(ctx.principal.userId, meeting.id);
    const open = view.ballots.filter((b) => b.status === 'open');
    const mySeats = open[0] ? await this.roll.mySeats(ctx.principal.userId, meeting, open[0].id) : view.mySeats;
    return { meetingId: meeting.id, quorum: view.quorum, openBallots: open, mySeats };
  }

  @Command('ballot:cast')
  async cast(ctx: CommandContext, p: P<'ballot:cast'>): R<'ballot:cast'> {
    const { ballot, seats } = await this.openWithRoll(p.ballotId, ctx.principal.userId);
    const seat = seats.get(p.seatId);
    if (!seat || !(seat.proxy_holder ? seat.proxy_holder === ctx.principal.userId : seat.holders.includes(ctx.principal.userId))) {
      await this.outsiderSeesNothing(ballot, ctx.principal.userId);
      throw new AppError('NOT_ELIGIBLE', 'You are not entitled to vote for this seat on this ballot.');
    }
    const instruction = instructed(seat, ctx.principal.userId);
    const vote = castOf(ballot, p.choice, p.envelope, instruction);
    return this.writer.cast({ ballotId: ballot.id, seatId: seat.seat_id, voterId: ctx.principal.userId, ...vote, requestKey: p.clientRequestId }, seat, ballot);
  }

  /** Every seat the caller holds and has not voted for; instructed proxies vote as instructed. */
  @Command('ballot:cast-all')
  async castAll(ctx: CommandContext, p: P<'ballot:cast-all'>): R<'ballot:cast-all'> {
    const userId = ctx.principal.userId;
    const ballot = await this.openBallot(p.ballotId, userId);
    if (ballot.secrecy === 'secret' && !p.envelopes) throw new AppError('SEALED_VOTE_REQUIRED', 'A secret vote is sealed on your device: send one envelope per seat.');
    if (ballot.secrecy === 'roll-call' && !p.choice) throw new AppError('INVALID_PAYLOAD', 'A roll-call vote carries its choice.');
    const choice = p.choice ? validChoice(ballot, p.choice) : null;
    const envelopes = new Map((p.envelopes ?? []).map((e) => [e.seatId, e.envelope]));
    const seats = await this.roll.heldSeats(ballot.id, userId);
    if (seats.length === 0) {
      await this.outsiderSeesNothing(ballot, userId);
      throw new AppError('NOT_ELIGIBLE', 'You hold no seat on this ballot.');
    }
    const open = seats.filter((s) => !s.voted || ballot.allow_revote);
    if (open.length === 0) throw new AppError('ALREADY_VOTED', 'Every seat you hold has voted.');
    const settled = await Promise.allSettled(
      open.map(async (seat) => {
        const instruction = instructed(seat, userId);
        const envelope = envelopes.get(seat.seat_id);
        if (ballot.secrecy === 'secret' && !envelope && !instruction) throw new AppError('SEALED_VOTE_REQUIRED', 'No envelope for this seat.');
        // One choice for every seat (roll-call): an instructed seat takes its instruction instead.
        const vote = castOf(ballot, ballot.secrecy === 'roll-call' ? (instruction ?? choice!) : undefined, envelope, instruction);
        return this.writer.cast({ ballotId: ballot.id, seatId: seat.seat_id, voterId: userId, ...vote, requestKey: p.clientRequestId }, seat, ballot);
      }),
    );
    const receipts = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    if (receipts.length === 0) throw (settled[0] as PromiseRejectedResult).reason;
    return { receipts: receipts as CastReceipt[] };
  }

  /** A ballot that is not open says so only to members of its organisation; to others it does not exist. */
  private async openBallot(ballotId: string, userId: string): Promise<BallotRow> {
    const ballot = await this.ballots.ballot(ballotId);
    if (ballot.status !== 'open') await this.outsiderSeesNothing(ballot, userId);
    if (ballot.status === 'draft') throw new AppError('BALLOT_NOT_OPEN', 'This ballot is not open yet.');
    if (ballot.status !== 'open') throw new AppError('BALLOT_CLOSED', 'Voting on this ballot has closed.');
    return ballot;
  }

  private async outsiderSeesNothing(ballot: BallotRow, userId: string): Promise<void> {
    await this.access.member(userId, ballot.meeting_id).catch(() => {
      throw new AppError('NOT_FOUND', 'Ballot not found.');
    });
  }

  private openWithRoll(ballotId: string, userId: string): Promise<{ ballot: BallotRow; seats: Map<string, RollSeat> }> {
    let entry = this.open.get(ballotId);
    if (!entry) {
      entry = (async () => {
        const ballot = await this.openBallot(ballotId, userId);
        return { ballot, seats: new Map((await this.roll.frozen(ballotId)).map((s) => [s.seat_id, s])) };
      })();
      this.open.set(ballotId, entry);
      // Refusals (closed, not found) are not kept: the next cast asks again.
      entry.catch(() => this.open.delete(ballotId));
    }
    return entry;
  }

  private async pushQuorum(meetingId: string): Promise<void> {
    const meeting = await this.access.meetingRow(meetingId);
    this.gateway.server.to(`meeting:${meetingId}`).emit('quorum:changed', { meetingId, quorum: await this.roll.quorumOf(meeting) });
  }

  private async pushQuorumOfRoom(roomId: string): Promise<void> {
    for (const id of await this.meetings.meetingsInRoom(roomId)) await this.pushQuorum(id);
  }
}

/** The instruction a proxy holder must follow for this seat, if any. */
function instructed(seat: RollSeat, userId: string): Choice | null {
  return seat.proxy_holder === userId && seat.instruction && seat.instruction !== 'free' ? (seat.instruction as Choice) : null;
}

/**
 * What is written for one seat. Roll-call: the choice, checked (an instructed proxy must match its
 * instruction). Secret: the voter's envelope as sealed on their device — the server cannot read or
 * check it, an invalid one is spoiled at the count — except for an instructed proxy seat, whose vote
 * the server seals itself from the instruction it already holds (the holder's envelope is not used).
 */
function castOf(ballot: BallotRow, choice: Choice | undefined, envelope: string | undefined, instruction: Choice | null): { choice: Choice | null; envelope: Buffer | null } {
  if (ballot.secrecy === 'secret') {
    if (choice !== undefined) throw new AppError('SEALED_VOTE_REQUIRED', 'A secret vote is sealed on your device before it is sent; the server takes no choice in the clear.');
    if (instruction) return { choice: instruction, envelope: null };
    return { choice: null, envelope: Buffer.from(envelope!, 'base64url') };
  }
  if (choice === undefined) throw new AppError('INVALID_PAYLOAD', 'A roll-call vote carries its choice.');
  const valid = validChoice(ballot, choice);
  if (instruction && valid !== instruction) throw new AppError('PROXY_INSTRUCTED', `This proxy is instructed to vote ${instruction}.`);
  return { choice: valid, envelope: null };
}

/** A motion takes yes/no/abstain; an election takes up to maxChoices distinct candidates (none = abstain). */
function validChoice(ballot: BallotRow, choice: Choice): Choice {
  if (ballot.kind === 'motion') {
    if (typeof choice !== 'string' || !(BALLOT_CHOICES as readonly string[]).includes(choice)) throw new AppError('INVALID_PAYLOAD', 'Choose yes, no or abstain.');
    return choice;
  }
  if (!Array.isArray(choice) || new Set(choice).size !== choice.length || choice.length > ballot.max_choices || choice.some((c) => !ballot.options.includes(c))) {
    throw new AppError('INVALID_PAYLOAD', `Choose up to ${ballot.max_choices} different candidates from the list.`);
  }
  return choice;
}

