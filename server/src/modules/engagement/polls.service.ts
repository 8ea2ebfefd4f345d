import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource, type EntityManager, Not } from 'typeorm';
import type { ParsedCommandPayload, PollInfo, PollView } from '../../contract';
import { AppError, isUniqueViolation } from '../../common/errors';
import { LOGGER } from '../../common/logging';
import type { LiveRoom } from '../rooms/live/live-room';
import { RoomRegistry } from '../rooms/live/room-registry';
import { roomCan } from '../rooms/room-permissions';
import { RoomsService } from '../rooms/rooms.service';
import { openVote, sealVote } from '../governance/ballot-box';
import { BallotKeys } from '../governance/ballot-keys.service';
import { type Seat, rolesThatCan } from './seat';
import { Coalescer } from './coalescer';
import { Poll } from './poll.entity';
import { choicesProblem, pollResultsCsv, pollTransition } from './polls';

/** Live counts go out at most every 300 ms per poll; the last one always reflects every vote. */
const RESULTS_GAP_MS = 300;

interface Tally {
  counts: number[];
  voters: number;
}

/**
 * Quick polls of a live session. Every vote is one row in poll_voters (so nobody votes twice). A named
 * poll adds to the running totals in poll_counts and keeps the ballot (who chose what, for the hosts'
 * export). An anonymous poll writes nothing readable beside its voter row: the choice is sealed in
 * that row to the poll's own key (kept outside the database), the live totals are kept in memory, and
 * the close adds the sealed choices to poll_counts, erases them and destroys the key — so neither the
 * rows, their system columns nor a backup pair a person with a choice.
 */
@Injectable()
export class PollsService {
  private readonly results: Coalescer;
  /** Live totals of open anonymous polls (poll_counts holds them only from the close). */
  private readonly hidden = new Map<string, Promise<Tally>>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly registry: RoomRegistry,
    private readonly rooms: RoomsService,
    private readonly keys: BallotKeys,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.results = new Coalescer((err) => logger.error({ err }, 'publishing poll results failed'), RESULTS_GAP_MS);
  }

  async create({ room, peer }: Seat, p: ParsedCommandPayload<'poll:create'>): Promise<PollView> {
    room.assertCan(peer, 'poll.manage');
    const repo = this.db.getRepository(Poll);
    const key = { createdBy: peer.userId, clientRequestId: p.clientRequestId };
    const earlier = await repo.findOneBy(key);
    if (earlier) return this.view(earlier, peer.userId);
    let poll: Poll;
    try {
      poll = await this.db.transaction(async (m) => {
        const created = await m.getRepository(Poll).save(
          m.getRepository(Poll).create({ roomId: room.roomId, sessionId: room.sessionId, question: p.question, options: p.options, multiple: p.multiple, anonymous: p.anonymous, status: 'draft', openedAt: null, closedAt: null, ...key }),
        );
        await m.query(`INSERT INTO poll_counts (poll_id, option_index) SELECT $1, generate_series(0, $2::int - 1)`, [created.id, p.options.length]);
        return created;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'uq_polls_request')) return this.view(await repo.findOneByOrFail(key), peer.userId);
      throw err;
    }
    const info = toInfo(poll, { counts: p.options.map(() => 0), voters: 0 });
    this.registry.toRoles(room, rolesThatCan('poll.manage', room.mode), 'poll:created', info);
    return { ...info, voted: false, myChoices: null };
  }

  open(seat: Seat, pollId: string): Promise<PollView> {
    return this.transition(seat, pollId, 'open');
  }

  close(seat: Seat, pollId: string): Promise<PollView> {
    return this.transition(seat, pollId, 'close');
  }

  /**
   * One transaction: the poll row is share-locked so a close waits for votes in flight (and the
   * closing counts include them); the voter row's primary key refuses a second vote.
   */
  async vote({ room, peer }: Seat, p: ParsedCommandPayload<'poll:vote'>): Promise<PollView> {
    room.assertCan(peer, 'poll.vote');
    // An anonymous poll's live totals are loaded before this vote's transaction starts, so adding
    // this vote to them below never counts it twice.
    const live = await this.db.getRepository(Poll).findOneBy({ id: p.pollId, sessionId: room.sessionId });
    const totals = live?.anonymous && live.status === 'open' ? await this.liveTally(live.id) : null;
    const poll = await this.db.transaction(async (m) => {
      const poll = await m.getRepository(Poll).findOne({ where: { id: p.pollId, sessionId: room.sessionId }, lock: { mode: 'pessimistic_read' } });
      if (!poll || (poll.status === 'draft' && !roomCan(peer.role, 'poll.manage', room.mode))) throw new AppError('NOT_FOUND', 'Poll not found.');
      if (poll.status !== 'open') throw new AppError('POLL_CLOSED', 'This poll is not open for votes.');
      const problem = choicesProblem(poll, p.choices);
      if (problem) throw new AppError('INVALID_PAYLOAD', `Invalid choices: ${problem}.`, [{ path: 'choices', message: problem }]);
      const sealed = poll.anonymous ? sealVote(this.keys.forCasting(poll.id).publicKey, poll.id, { choice: [...p.choices], receipt: '' }, this.keys.envelopeKey(poll.id)) : null;
      const fresh = (await m.query(`INSERT INTO poll_voters (poll_id, user_id, sealed_choices) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`, [
        poll.id,
        peer.userId,
        sealed,
      ])) as unknown[];
      if (fresh.length === 0) throw new AppError('ALREADY_VOTED', 'You have already voted in this poll.');
      if (poll.anonymous) return poll;
      await m.query(`INSERT INTO poll_ballots (poll_id, user_id, voter_name, choices) VALUES ($1, $2, $3, $4)`, [poll.id, peer.userId, peer.displayName, p.choices]);
      // Rows locked in option order, so two multiple-choice votes cannot deadlock.
      await m.query(
        `UPDATE poll_counts c SET votes = c.votes + 1 FROM (
           SELECT option_index FROM poll_counts WHERE poll_id = $1 AND option_index = ANY($2::smallint[]) ORDER BY option_index FOR UPDATE
         ) l WHERE c.poll_id = $1 AND c.option_index = l.option_index`,
        [poll.id, p.choices],
      );
      return poll;
    });
    if (poll.anonymous) {
      const t = totals ?? (await this.liveTally(poll.id));
      if (totals) {
        for (const c of p.choices) t.counts[c] = (t.counts[c] ?? 0) + 1;
        t.voters++;
      }
    }
    this.publishResults(room, poll.id);
    return { ...toInfo(poll, await this.tally(poll.id)), voted: true, myChoices: [...p.choices].sort((a, b) => a - b) };
  }

  async list({ room, peer }: Seat): Promise<{ polls: PollView[] }> {
    const manager = roomCan(peer.role, 'poll.manage', room.mode);
    const polls = await this.db.getRepository(Poll).find({
      where: { sessionId: room.sessionId, ...(manager ? {} : { status: Not('draft' as const) }) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    return { polls: await this.views(polls, peer.userId) };
  }

  /** The results sheet, for the room's organisers (the organisation's owners and admins, the room's creator). */
  async exportCsv(userId: string, roomId: string, pollId: string): Promise<string> {
    // The same gate as the room's other reports: outsiders learn nothing (NOT_FOUND), members are refused.
    await this.rooms.organised(userId, roomId);
    const poll = await this.db.getRepository(Poll).findOneBy({ id: pollId, roomId });
    if (!poll) throw new AppError('NOT_FOUND', 'Poll not found.');
    const ballots = poll.anonymous
      ? null
      : ((await this.db.query(`SELECT voter_name AS "voterName", choices FROM poll_ballots WHERE poll_id = $1 ORDER BY voter_name, created_at`, [poll.id])) as { voterName: string; choices: number[] }[]);
    return pollResultsCsv(toInfo(poll, await this.tally(poll.id)), ballots);
  }

  private async transition({ room, peer }: Seat, pollId: string, command: 'open' | 'close'): Promise<PollView> {
    room.assertCan(peer, 'poll.manage');
    const { poll, changed } = await this.db.transaction(async (m: EntityManager) => {
      const poll = await m.getRepository(Poll).findOne({ where: { id: pollId, sessionId: room.sessionId }, lock: { mode: 'pessimistic_write' } });
      if (!poll) throw new AppError('NOT_FOUND', 'Poll not found.');
      const next = pollTransition(poll.status, command);
      if (next !== 'draft' && next !== 'open' && next !== 'closed') {
        throw new AppError(next, next === 'POLL_CLOSED' ? 'A closed poll cannot be opened again.' : 'Open the poll before closing it.');
      }
      if (next === poll.status) return { poll, changed: false };
      const stamp = next === 'open' ? { openedAt: new Date() } : { closedAt: new Date() };
      // The key exists, durably and outside the database, before the first anonymous vote.
      if (poll.anonymous && next === 'open') this.keys.create(poll.id);
      if (poll.anonymous && next === 'closed') await this.addUpSealed(m, poll.id);
      await m.getRepository(Poll).update({ id: poll.id }, { status: next, ...stamp });
      return { poll: Object.assign(poll, { status: next }, stamp), changed: true };
    });
    if (changed && poll.anonymous && poll.status === 'closed') {
      this.hidden.delete(poll.id);
      this.keys.destroy(poll.id);
    }
    const info = toInfo(poll, await this.tally(poll.id));
    if (changed) this.registry.toOthers(room, null, poll.status === 'open' ? 'poll:opened' : 'poll:closed', info);
    return this.view(poll, peer.userId, info);
  }

  private publishResults(room: LiveRoom, pollId: string): void {
    this.results.request(pollId, async () => {
      if (!room.isClosed) this.registry.toOthers(room, null, 'poll:results', { pollId, ...(await this.tally(pollId)) });
    });
  }

  private async tally(pollId: string): Promise<Tally> {
    return (await this.tallies([pollId])).get(pollId) ?? { counts: [], voters: 0 };
  }

  private async tallies(pollIds: string[]): Promise<Map<string, Tally>> {
    const rows = (await this.db.query(
      `SELECT c.poll_id AS id, array_agg(c.votes ORDER BY c.option_index) AS counts,
              (SELECT count(*)::int FROM poll_voters v WHERE v.poll_id = c.poll_id) AS voters,
              (SELECT p.anonymous AND p.status = 'open' FROM polls p WHERE p.id = c.poll_id) AS hidden
         FROM poll_counts c WHERE c.poll_id = ANY($1) GROUP BY c.poll_id`,
      [pollIds],
    )) as { id: string; counts: number[]; voters: number; hidden: boolean }[];
    const out = new Map<string, Tally>();
    for (const r of rows) out.set(r.id, r.hidden ? { ...(await this.liveTally(r.id)) } : { counts: r.counts, voters: r.voters });
    return out;
  }

  /**
   * The live totals of an open anonymous poll: poll_counts (votes from before sealing existed) plus
   * its sealed choices, opened once with the poll's key after a restart, then kept up in memory.
   */
  private liveTally(pollId: string): Promise<Tally> {
    let t = this.hidden.get(pollId);
    if (!t) {
      t = this.db.transaction(async (m) => this.sealedTotals(m, pollId));
      this.hidden.set(pollId, t);
      t.catch(() => this.hidden.delete(pollId));
    }
    return t;
  }

  private async sealedTotals(m: EntityManager, pollId: string): Promise<Tally> {
    const [base] = (await m.query(
      `SELECT array_agg(votes ORDER BY option_index) AS counts, (SELECT count(*)::int FROM poll_voters WHERE poll_id = $1) AS voters FROM poll_counts WHERE poll_id = $1`,
      [pollId],
    )) as { counts: number[]; voters: number }[];
    const sealed = (await m.query(`SELECT sealed_choices FROM poll_voters WHERE poll_id = $1 AND sealed_choices IS NOT NULL`, [pollId])) as { sealed_choices: Buffer }[];
    const counts = [...base!.counts];
    if (sealed.length) {
      const keys = this.keys.forCounting(pollId);
      for (const r of sealed) for (const c of openVote(keys, pollId, r.sealed_choices).choice as number[]) counts[c] = (counts[c] ?? 0) + 1;
    }
    return { counts, voters: base!.voters };
  }

  /** At the close of an anonymous poll: the sealed choices become totals and are erased. */
  private async addUpSealed(m: EntityManager, pollId: string): Promise<void> {
    const { counts } = await this.sealedTotals(m, pollId);
    await m.query(`UPDATE poll_counts c SET votes = t.v FROM unnest($2::int[]) WITH ORDINALITY AS t(v, i) WHERE c.poll_id = $1 AND c.option_index = t.i - 1`, [pollId, counts]);
    await m.query(`UPDATE poll_voters SET sealed_choices = NULL WHERE poll_id = $1`, [pollId]);
  }

  private async view(poll: Poll, userId: string, info?: PollInfo): Promise<PollView> {
    const [view] = await this.views([poll], userId, info);
    return view!;
  }

  /** A voter sees their own choices again only in a named poll; an anonymous poll only remembers that they voted. */
  private async views(polls: Poll[], userId: string, known?: PollInfo): Promise<PollView[]> {
    if (polls.length === 0) return [];
    const ids = polls.map((p) => p.id);
    const tallies = known ? new Map([[known.id, { counts: known.counts, voters: known.voters }]]) : await this.tallies(ids);
    const voted = new Set(((await this.db.query(`SELECT poll_id AS id FROM poll_voters WHERE user_id = $1 AND poll_id = ANY($2)`, [userId, ids])) as { id: string }[]).map((r) => r.id));
    const ballots = new Map(
      ((await this.db.query(`SELECT poll_id AS id, choices FROM poll_ballots WHERE user_id = $1 AND poll_id = ANY($2)`, [userId, ids])) as { id: string; choices: number[] }[]).map((r) => [r.id, r.choices]),
    );
    return polls.map((p) => ({
      ...toInfo(p, tallies.get(p.id) ?? { counts: p.options.map(() => 0), voters: 0 }),
      voted: voted.has(p.id),
      myChoices: p.anonymous ? null : (ballots.get(p.id) ?? null),
    }));
  }
}

function toInfo(p: Poll, t: Tally): PollInfo {
  return {
    id: p.id,
    question: p.question,
    options: p.options,
    multiple: p.multiple,
    anonymous: p.anonymous,
    status: p.status,
    counts: t.counts,
    voters: t.voters,
    createdAt: p.createdAt.toISOString(),
    openedAt: p.openedAt?.toISOString() ?? null,
    closedAt: p.closedAt?.toISOString() ?? null,
  };
}
