import { EventEmitter } from 'node:events';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import type { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import type {
  AgendaItemBody,
  AssignProxyBody,
  BallotResult,
  BallotView,
  BulletinEntry,
  Choice,
  CreateBallotBody,
  CreateMeetingBody,
  CreateMotionBody,
  MeetingView,
  MotionView,
  QuorumView,
  SeatView,
} from '../../contract';
import { AppError } from '../../common/errors';
import { LOGGER } from '../../common/logging';
import { OrganizationsService } from '../organizations/organizations.service';
import { RoomRegistry } from '../rooms/live/room-registry';
import { canonicalJson, nextEntry, sha256 } from './audit-chain';
import { type MotionEvent, type MotionState, nextBallotState, nextMotionState } from './ballot-state';
import { quorum } from './quorum';
import type { BallotRow, CountedVote, MeetingRow, RollSeat } from './rows';
import { Sealer } from './seal';
import { type MotionChoice, tallyElection, tallyMotion } from './tally';

type Body<S extends z.ZodType> = z.output<S>;

export interface GovernanceEvents {
  ballot: [{ meetingId: string; event: 'ballot:opened' | 'ballot:closed' | 'result:published'; ballot: BallotView }];
  quorum: [{ meetingId: string }];
  turnout: [{ meetingId: string; ballotId: string }];
}

/**
 * Meetings and their formal decisions. Every decision event is appended to the meeting's hash-chained
 * audit log in the same transaction as the change it records.
 */
@Injectable()
export class GovernanceService implements OnModuleInit, OnApplicationShutdown {
  readonly events = new EventEmitter<GovernanceEvents>();
  readonly sealer: Sealer;
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orgs: OrganizationsService,
    private readonly rooms: RoomRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.sealer = new Sealer(config.ballotSealKey);
  }

  /** Ballots with a timer that were open when the process stopped: close now or when due. */
  async onModuleInit(): Promise<void> {
    const open: { id: string; closes_at: Date }[] = await this.db.query(`SELECT id, closes_at FROM ballots WHERE status = 'open' AND closes_at IS NOT NULL`);
    for (const b of open) this.scheduleClose(b.id, b.closes_at);
  }

  onApplicationShutdown(): void {
    for (const t of this.timers.values()) clearTimeout(t);
  }

  /* ---------------- meetings, agenda, motions ---------------- */

  async createMeeting(userId: string, organizationId: string, b: Body<typeof CreateMeetingBody>): Promise<MeetingView> {
    await this.orgs.authorize(userId, organizationId, 'meetings.manage');
    for (const person of [b.chairId, b.secretaryId]) {
      if (person && !(await this.orgs.isMember(person, organizationId))) throw new AppError('NOT_FOUND', 'The chair and the secretary must be members.');
    }
    if (b.roomId) {
      const [room] = await this.db.query(`SELECT 1 FROM rooms WHERE id = $1 AND organization_id = $2`, [b.roomId, organizationId]);
      if (!room) throw new AppError('NOT_FOUND', 'Room not found.');
    }
    // The meeting and the first entry of its audit chain exist together or not at all.
    const id = await this.db.transaction(async (m) => {
      const [row] = await m.query(
        `INSERT INTO meetings (organization_id, room_id, title, kind, scheduled_at, voter_basis, quorum_rule, chair_id, secretary_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [organizationId, b.roomId ?? null, b.title, b.kind, b.scheduledAt, b.voterBasis, JSON.stringify(b.quorumRule), b.chairId ?? userId, b.secretaryId ?? null, userId],
      );
      await this.audit(m, row.id, [{ kind: 'meeting.created', payload: { title: b.title, voterBasis: b.voterBasis, quorumRule: b.quorumRule, chairId: b.chairId ?? userId } }]);
      return row.id as string;
    });
    return this.meetingView(userId, id);
  }

  async listMeetings(userId: string, organizationId: string): Promise<Pick<MeetingView, 'id' | 'title' | 'kind' | 'scheduledAt' | 'roomId'>[]> {
    await this.orgs.authorize(userId, organizationId, 'org.view');
    const rows: MeetingRow[] = await this.db.query(`SELECT * FROM meetings WHERE organization_id = $1 ORDER BY scheduled_at DESC`, [organizationId]);
    return rows.map((r) => ({ id: r.id, title: r.title, kind: r.kind, scheduledAt: r.scheduled_at.toISOString(), roomId: r.room_id }));
  }

  async addAgendaItem(userId: string, meetingId: string, b: Body<typeof AgendaItemBody>): Promise<MeetingView> {
    const meeting = await this.officer(userId, meetingId);
    await this.db.transaction(async (m) => {
      await this.lockMeeting(m, meeting.id);
      const [{ next }] = await m.query(`SELECT COALESCE(max(position), 0) + 1 AS next FROM agenda_items WHERE meeting_id = $1`, [meeting.id]);
      const [item] = await m.query(`INSERT INTO agenda_items (meeting_id, position, title, description) VALUES ($1, $2, $3, $4) RETURNING id`, [meeting.id, next, b.title, b.description ?? null]);
      await this.audit(m, meeting.id, [{ kind: 'agenda.item-added', payload: { itemId: item.id, position: next, title: b.title } }], true);
    });
    return this.meetingView(userId, meetingId);
  }

  async createMotion(userId: string, meetingId: string, b: Body<typeof CreateMotionBody>): Promise<MotionView> {
    const meeting = await this.member(userId, meetingId);
    if (b.agendaItemId) await this.one(`SELECT 1 FROM agenda_items WHERE id = $1 AND meeting_id = $2`, [b.agendaItemId, meeting.id], 'Agenda item not found.');
    if (b.amendsMotionId) {
      const parent = await this.one<{ status: MotionState }>(`SELECT status FROM motions WHERE id = $1 AND meeting_id = $2`, [b.amendsMotionId, meeting.id], 'Motion not found.');
      if (['voting', 'carried', 'lost', 'withdrawn', 'referred'].includes(parent.status)) throw new AppError('ILLEGAL_TRANSITION', 'That motion can no longer be amended.');
    }
    const id = await this.db.transaction(async (m) => {
      // The meeting lock first: the insert below takes a key-share lock on the meeting row, and two
      // movers upgrading it to the audit's FOR UPDATE at once deadlock.
      await this.lockMeeting(m, meeting.id);
      const [row] = await m.query(
        `INSERT INTO motions (meeting_id, agenda_item_id, amends_motion_id, title, text, mover_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [meeting.id, b.agendaItemId ?? null, b.amendsMotionId ?? null, b.title, b.text, userId],
      );
      await this.audit(m, meeting.id, [{ kind: 'motion.moved', payload: { motionId: row.id, amendsMotionId: b.amendsMotionId ?? null, title: b.title, text: b.text, moverId: userId } }], true);
      return row.id as string;
    });
    return (await this.motions(meeting.id, id))[0]!;
  }

  /**
   * The mover submits and may withdraw; anyone else present seconds; the chair opens debate and refers.
   * Voting, carried and lost are set by ballots only.
   */
  async transitionMotion(userId: string, meetingId: string, motionId: string, event: Extract<MotionEvent, 'submit' | 'second' | 'debate' | 'withdraw' | 'refer'>): Promise<MotionView> {
    const meeting = await this.member(userId, meetingId);
    const isChair = meeting.chair_id === userId;
    await this.db.transaction(async (m) => {
      await this.lockMeeting(m, meeting.id);
      const [motion] = await m.query(`SELECT status, mover_id FROM motions WHERE id = $1 AND meeting_id = $2`, [motionId, meeting.id]);
      if (!motion) throw new AppError('NOT_FOUND', 'Motion not found.');
      const isMover = motion.mover_id === userId;
      const allowed = { submit: isMover, second: !isMover, debate: isChair, refer: isChair, withdraw: isMover || isChair }[event];
      if (!allowed) throw new AppError('FORBIDDEN', event === 'second' ? 'The mover cannot second their own motion.' : 'Only the mover or the chair can do this.');
      const next = nextMotionState(motion.status, event);
      if (!next) throw new AppError('ILLEGAL_TRANSITION', `A ${motion.status} motion cannot be ${event}ed.`);
      await m.query(`UPDATE motions SET status = $2${event === 'second' ? ', seconder_id = $3' : ''} WHERE id = $1`, event === 'second' ? [motionId, next, userId] : [motionId, next]);
      await this.audit(m, meeting.id, [{ kind: `motion.${event}`, payload: { motionId, by: userId, status: next } }], true);
    });
    return (await this.motions(meeting.id, motionId))[0]!;
  }

  /* ---------------- presence, proxies, roll, quorum ---------------- */

  async checkIn(userId: string, meetingId: string, event: 'check-in' | 'check-out'): Promise<QuorumView> {
    const meeting = await this.member(userId, meetingId);
    await this.db.query(`INSERT INTO presence_log (meeting_id, user_id, event) VALUES ($1, $2, $3)`, [meeting.id, userId, event]);
    this.events.emit('quorum', { meetingId: meeting.id });
    return this.quorumOf(meeting);
  }

  /** The holder of a seat (a delegate of the institution, or the member) gives its vote to another member. */
  async assignProxy(userId: string, meetingId: string, b: Body<typeof AssignProxyBody>): Promise<SeatView[]> {
    const meeting = await this.member(userId, meetingId);
    const seat = (await this.seats(meeting)).find((s) => s.seat_id === b.seatId);
    if (!seat || !seat.holders.includes(userId)) throw new AppError('NOT_ELIGIBLE', 'You do not hold this seat.');
    if (b.holderId === userId || !(await this.orgs.isMember(b.holderId, meeting.organization_id))) throw new AppError('NOT_ELIGIBLE', 'A proxy goes to another member.');
    await this.db.transaction(async (m) => {
      await this.lockMeeting(m, meeting.id);
      await m.query(
        `INSERT INTO proxies (meeting_id, seat_id, grantor_id, holder_id, instructions) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (meeting_id, seat_id) DO UPDATE SET grantor_id = $3, holder_id = $4, instructions = $5, created_at = now()`,
        [meeting.id, b.seatId, userId, b.holderId, JSON.stringify(b.instructions)],
      );
      await this.audit(m, meeting.id, [{ kind: 'proxy.assigned', payload: { seatId: b.seatId, grantorId: userId, holderId: b.holderId, instructions: b.instructions } }], true);
    });
    this.events.emit('quorum', { meetingId: meeting.id });
    return this.mySeats(userId, meeting, null);
  }

  /** People present: in the meeting's live room, or checked in (their last presence event). */
  async presentUsers(meeting: MeetingRow): Promise<Set<string>> {
    const present = new Set<string>();
    const live = meeting.room_id ? this.rooms.liveRoom(meeting.room_id) : undefined;
    for (const p of live?.peers.values() ?? []) present.add(p.userId);
    const rows: { user_id: string; event: string }[] = await this.db.query(
      `SELECT DISTINCT ON (user_id) user_id, event FROM presence_log WHERE meeting_id = $1 ORDER BY user_id, id DESC`,
      [meeting.id],
    );
    for (const r of rows) if (r.event === 'check-in') present.add(r.user_id);
    return present;
  }

  /** The current roll: institutions with their delegates, or members; with proxies for `motionId`. */
  async seats(meeting: MeetingRow, motionId: string | null = null, present?: Set<string>): Promise<RollSeat[]> {
    const base: { seat_id: string; label: string; weight: number; holders: string[] }[] =
      meeting.voter_basis === 'institutions'
        ? await this.db.query(
            `SELECT i.id AS seat_id, i.name AS label, i.vote_weight AS weight,
                    COALESCE(array_agg(d.user_id) FILTER (WHERE d.user_id IS NOT NULL), '{}') AS holders
               FROM institutions i LEFT JOIN institution_delegates d ON d.institution_id = i.id
              WHERE i.organization_id = $1 GROUP BY i.id ORDER BY i.name`,
            [meeting.organization_id],
          )
        : await this.db.query(
            `SELECT m.user_id AS seat_id, u.display_name AS label, 1 AS weight, ARRAY[m.user_id] AS holders
               FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.organization_id = $1 ORDER BY u.display_name`,
            [meeting.organization_id],
          );
    const proxies: { seat_id: string; holder_id: string; instructions: Record<string, RollSeat['instruction']> }[] = await this.db.query(
      `SELECT seat_id, holder_id, instructions FROM proxies WHERE meeting_id = $1`,
      [meeting.id],
    );
    const byseat = new Map(proxies.map((p) => [p.seat_id, p]));
    const here = present ?? (await this.presentUsers(meeting));
    return base.map((s) => {
      const proxy = byseat.get(s.seat_id);
      return {
        ...s,
        proxy_holder: proxy?.holder_id ?? null,
        instruction: proxy ? ((motionId && proxy.instructions[motionId]) || 'free') : null,
        present: proxy ? here.has(proxy.holder_id) : s.holders.some((h) => here.has(h)),
      };
    });
  }

  async quorumOf(meeting: MeetingRow, roll?: RollSeat[]): Promise<QuorumView> {
    const seats = roll ?? (await this.seats(meeting));
    return quorum({
      rule: meeting.quorum_rule,
      entitled: seats.map((s) => s.seat_id),
      present: seats.filter((s) => s.present && !s.proxy_holder).map((s) => s.seat_id),
      represented: seats.filter((s) => s.present && s.proxy_holder).map((s) => s.seat_id),
    });
  }

  /* ---------------- ballots ---------------- */

  async createBallot(userId: string, meetingId: string, b: Body<typeof CreateBallotBody>): Promise<BallotView> {
    const meeting = await this.chair(userId, meetingId);
    let title: string;
    let options: string[];
    if (b.motionId) {
      const motion = await this.one<{ title: string; status: MotionState }>(`SELECT title, status FROM motions WHERE id = $1 AND meeting_id = $2`, [b.motionId, meeting.id], 'Motion not found.');
      if (motion.status !== 'debate') throw new AppError('ILLEGAL_TRANSITION', 'A motion is put to the vote after debate.');
      const [pending] = await this.db.query(
        `SELECT 1 FROM motions WHERE amends_motion_id = $1 AND status NOT IN ('carried', 'lost', 'withdrawn', 'referred') LIMIT 1`,
        [b.motionId],
      );
      if (pending) throw new AppError('ILLEGAL_TRANSITION', 'Decide its amendments first.');
      title = motion.title;
      options = ['yes', 'no', 'abstain'];
    } else {
      title = b.election!.title;
      options = b.election!.candidates;
    }
    const [row] = await this.db.query(
      `INSERT INTO ballots (meeting_id, motion_id, kind, title, options, seats, max_choices, secrecy, rule, abstentions_count, allow_revote, duration_seconds)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
      [
        meeting.id,
        b.motionId ?? null,
        b.motionId ? 'motion' : 'election',
        title,
        JSON.stringify(options),
        b.election?.seats ?? 1,
        b.election?.maxChoices ?? 1,
        b.secrecy,
        b.rule,
        b.abstentionsCount,
        b.allowRevote,
        b.durationSeconds ?? null,
      ],
    );
    return this.ballotView(row.id);
  }

  /**
   * Freezes the roll, checks the quorum (refused without it unless the chair gives a reason, which is
   * recorded), and opens voting.
   */
  async openBallot(userId: string, ballotId: string, overrideReason?: string): Promise<BallotView> {
    const ballot = await this.ballot(ballotId);
    const meeting = await this.chair(userId, ballot.meeting_id);
    const roll = await this.seats(meeting, ballot.motion_id);
    const q = await this.quorumOf(meeting, roll);
    if (!q.met && !overrideReason) throw new AppError('QUORUM_NOT_MET', `Quorum not met: ${q.counted} of ${q.required} seats.`, q);
    const closesAt = ballot.duration_seconds ? new Date(Date.now() + ballot.duration_seconds * 1000) : null;
    await this.db.transaction(async (m) => {
      const [locked] = await m.query(`SELECT status FROM ballots WHERE id = $1 FOR UPDATE`, [ballotId]);
      if (!nextBallotState(locked.status, 'open')) throw new AppError('ILLEGAL_TRANSITION', `A ${locked.status} ballot cannot be opened.`);
      if (roll.length === 0) throw new AppError('NOT_ELIGIBLE', 'Nobody is on the voter roll.');
      await m.query(
        `INSERT INTO ballot_roll (ballot_id, seat_id, label, weight, holders, proxy_holder, instruction, present)
         SELECT $1, s, l, w, h::uuid[], p, i, pr FROM unnest($2::uuid[], $3::text[], $4::int[], $5::text[], $6::uuid[], $7::text[], $8::bool[]) AS t(s, l, w, h, p, i, pr)`,
        [
          ballotId,
          roll.map((s) => s.seat_id),
          roll.map((s) => s.label),
          roll.map((s) => s.weight),
          // Arrays of arrays must be rectangular in PostgreSQL; holders travel as text and are cast back.
          roll.map((s) => `{${s.holders.join(',')}}`),
          roll.map((s) => s.proxy_holder),
          roll.map((s) => s.instruction),
          roll.map((s) => s.present),
        ],
      );
      const presentWeight = roll.filter((s) => s.present).reduce((n, s) => n + s.weight, 0);
      const entitledWeight = roll.reduce((n, s) => n + s.weight, 0);
      await m.query(
        `UPDATE ballots SET status = 'open', opened_at = now(), closes_at = $2, quorum_override = $3, present_weight = $4, entitled_weight = $5 WHERE id = $1`,
        [ballotId, closesAt, q.met ? null : overrideReason, presentWeight, entitledWeight],
      );
      if (ballot.motion_id) await m.query(`UPDATE motions SET status = 'voting' WHERE id = $1`, [ballot.motion_id]);
      const entries = [
        { kind: 'roll.frozen', payload: { ballotId, seats: roll.map((s) => ({ seatId: s.seat_id, label: s.label, weight: s.weight, proxyHolder: s.proxy_holder, instruction: s.instruction, present: s.present })) } },
        ...(q.met ? [] : [{ kind: 'quorum.override', payload: { ballotId, by: userId, reason: overrideReason, quorum: q } }]),
        { kind: 'ballot.opened', payload: { ballotId, title: ballot.title, kind: ballot.kind, options: ballot.options, seats: ballot.seats, maxChoices: ballot.max_choices, secrecy: ballot.secrecy, rule: ballot.rule, abstentionsCount: ballot.abstentions_count, allowRevote: ballot.allow_revote, quorum: q, presentWeight, entitledWeight, closesAt: closesAt?.toISOString() ?? null } },
      ];
      await this.audit(m, meeting.id, entries);
    });
    if (closesAt) this.scheduleClose(ballotId, closesAt);
    const view = await this.ballotView(ballotId);
    this.events.emit('ballot', { meetingId: meeting.id, event: 'ballot:opened', ballot: view });
    return view;
  }

  /** Closes voting and counts from the stored ballots. `userId` null: the ballot's timer. */
  async closeBallot(userId: string | null, ballotId: string): Promise<BallotView> {
    const ballot = await this.ballot(ballotId);
    if (userId) await this.chair(userId, ballot.meeting_id);
    clearTimeout(this.timers.get(ballotId));
    this.timers.delete(ballotId);
    await this.db.transaction(async (m) => {
      // Waits for in-flight votes (they hold this row FOR SHARE): every acknowledged vote is counted.
      const [locked]: BallotRow[] = await m.query(`SELECT * FROM ballots WHERE id = $1 FOR UPDATE`, [ballotId]);
      if (!nextBallotState(locked!.status, 'close')) throw new AppError('ILLEGAL_TRANSITION', `A ${locked!.status} ballot cannot be closed.`);
      const votes = await this.countedVotes(m, locked!);
      const result = this.tally(locked!, votes);
      await m.query(`UPDATE ballots SET status = 'closed', closed_at = now(), result = $2 WHERE id = $1`, [ballotId, JSON.stringify(result)]);
      if (locked!.motion_id) await m.query(`UPDATE motions SET status = $2 WHERE id = $1`, [locked!.motion_id, result.outcome === 'carried' ? 'carried' : 'lost']);
      await this.audit(m, locked!.meeting_id, [{ kind: 'ballot.closed', payload: { ballotId, by: userId ?? 'timer', ballotsCounted: votes.length, result, resultHash: sha256(canonicalJson(result)) } }]);
    });
    const view = await this.ballotView(ballotId);
    this.events.emit('ballot', { meetingId: ballot.meeting_id, event: 'ballot:closed', ballot: view });
    return view;
  }

  async publishBallot(userId: string, ballotId: string): Promise<BallotView> {
    const ballot = await this.ballot(ballotId);
    await this.chair(userId, ballot.meeting_id);
    await this.db.transaction(async (m) => {
      const [locked]: BallotRow[] = await m.query(`SELECT * FROM ballots WHERE id = $1 FOR UPDATE`, [ballotId]);
      if (!nextBallotState(locked!.status, 'publish')) throw new AppError('ILLEGAL_TRANSITION', `A ${locked!.status} ballot cannot be published.`);
      const bulletin = await this.buildBulletin(m, locked!);
      await m.query(`UPDATE ballots SET status = 'published', published_at = now() WHERE id = $1`, [ballotId]);
      await this.audit(m, locked!.meeting_id, [{ kind: 'ballot.published', payload: { ballotId, entries: bulletin.length, bulletinHash: sha256(canonicalJson(bulletin)) } }]);
    });
    const view = await this.ballotView(ballotId);
    this.events.emit('ballot', { meetingId: ballot.meeting_id, event: 'result:published', ballot: view });
    return view;
  }

  /** After publication: receipt hash → choice (secret), or seat → choice (roll-call). */
  async bulletin(userId: string, ballotId: string): Promise<BulletinEntry[]> {
    const ballot = await this.ballot(ballotId);
    await this.member(userId, ballot.meeting_id);
    if (ballot.status !== 'published') throw new AppError('BALLOT_NOT_OPEN', 'The bulletin board appears when the result is published.');
    return this.buildBulletin(this.db.manager, ballot);
  }

  async getBallot(userId: string, ballotId: string): Promise<BallotView> {
    const ballot = await this.ballot(ballotId);
    await this.member(userId, ballot.meeting_id);
    return this.ballotView(ballotId);
  }

  /** The roll frozen when the ballot opened. */
  async roll(ballotId: string): Promise<RollSeat[]> {
    return this.db.query(`SELECT * FROM ballot_roll WHERE ballot_id = $1`, [ballotId]);
  }

  /** Seats of the frozen roll this person casts for (as holder, or as proxy), and whether each has voted. */
  async heldSeats(ballotId: string, userId: string): Promise<(RollSeat & { voted: boolean })[]> {
    return this.db.query(
      `SELECT r.*, c.seat_id IS NOT NULL AS voted FROM ballot_roll r LEFT JOIN ballot_casts c USING (ballot_id, seat_id)
        WHERE r.ballot_id = $1 AND (r.proxy_holder = $2 OR (r.proxy_holder IS NULL AND $2 = ANY(r.holders)))`,
      [ballotId, userId],
    );
  }

  async meetingRow(meetingId: string): Promise<MeetingRow> {
    return this.one<MeetingRow>(`SELECT * FROM meetings WHERE id = $1`, [meetingId], 'Meeting not found.');
  }

  async meetingsInRoom(roomId: string): Promise<string[]> {
    return (await this.db.query(`SELECT id FROM meetings WHERE room_id = $1`, [roomId])).map((r: { id: string }) => r.id);
  }

  /* ---------------- views and export ---------------- */

  async meetingView(userId: string, meetingId: string): Promise<MeetingView> {
    const meeting = await this.member(userId, meetingId);
    const agenda: { id: string; position: number; title: string; description: string | null }[] = await this.db.query(
      `SELECT id, position, title, description FROM agenda_items WHERE meeting_id = $1 ORDER BY position`,
      [meeting.id],
    );
    const ballotIds: { id: string }[] = await this.db.query(`SELECT id FROM ballots WHERE meeting_id = $1 ORDER BY created_at`, [meeting.id]);
    const roll = await this.seats(meeting);
    return {
      id: meeting.id,
      organizationId: meeting.organization_id,
      roomId: meeting.room_id,
      title: meeting.title,
      kind: meeting.kind,
      scheduledAt: meeting.scheduled_at.toISOString(),
      voterBasis: meeting.voter_basis,
      quorumRule: meeting.quorum_rule,
      chairId: meeting.chair_id,
      secretaryId: meeting.secretary_id,
      agenda,
      motions: await this.motions(meeting.id),
      ballots: await Promise.all(ballotIds.map((b) => this.ballotView(b.id))),
      quorum: await this.quorumOf(meeting, roll),
      mySeats: await this.mySeats(userId, meeting, null, roll),
      isChair: meeting.chair_id === userId,
    };
  }

  /** The seats a person may cast for in `ballotId` (from its frozen roll), or would hold now. */
  async mySeats(userId: string, meeting: MeetingRow, ballotId: string | null, roll?: RollSeat[]): Promise<SeatView[]> {
    const seats: RollSeat[] = ballotId ? await this.db.query(`SELECT * FROM ballot_roll WHERE ballot_id = $1`, [ballotId]) : (roll ?? (await this.seats(meeting)));
    const voted = new Set<string>(
      ballotId ? (await this.db.query(`SELECT seat_id FROM ballot_casts WHERE ballot_id = $1`, [ballotId])).map((r: { seat_id: string }) => r.seat_id) : [],
    );
    return seats
      .filter((s) => (s.proxy_holder ? s.proxy_holder === userId : s.holders.includes(userId)))
      .map((s) => ({ seatId: s.seat_id, label: s.label, weight: s.weight, as: s.proxy_holder ? 'proxy' : 'own', instruction: s.instruction, voted: voted.has(s.seat_id) }));
  }

  async ballotView(ballotId: string): Promise<BallotView> {
    const b = await this.ballot(ballotId);
    let turnout: BallotView['turnout'] = null;
    if (b.status !== 'draft') {
      const [t] = await this.db.query(
        `SELECT (SELECT count(*)::int FROM ballot_casts WHERE ballot_id = $1) AS cast, (SELECT count(*)::int FROM ballot_roll WHERE ballot_id = $1) AS entitled`,
        [ballotId],
      );
      turnout = t;
    }
    return {
      id: b.id,
      meetingId: b.meeting_id,
      motionId: b.motion_id,
      title: b.title,
      kind: b.kind,
      options: b.options,
      seats: b.seats,
      maxChoices: b.max_choices,
      secrecy: b.secrecy,
      rule: b.rule,
      abstentionsCount: b.abstentions_count,
      allowRevote: b.allow_revote,
      status: b.status,
      openedAt: b.opened_at?.toISOString() ?? null,
      closesAt: b.closes_at?.toISOString() ?? null,
      closedAt: b.closed_at?.toISOString() ?? null,
      turnout,
      quorumOverride: b.quorum_override,
      result: b.status === 'published' ? b.result : null,
    };
  }

  /**
   * Everything needed to check the meeting independently: rolls, bulletin boards and results of
   * published ballots, and the whole audit chain. For the chair and the organisation's admins.
   */
  async exportMeeting(userId: string, meetingId: string) {
    const meeting = await this.member(userId, meetingId);
    const role = await this.orgs.roleIn(userId, meeting.organization_id);
    if (meeting.chair_id !== userId && meeting.secretary_id !== userId && role !== 'owner' && role !== 'admin') {
      throw new AppError('FORBIDDEN', 'Only the chair, the secretary and administrators export the record.');
    }
    const ballots: BallotRow[] = await this.db.query(`SELECT * FROM ballots WHERE meeting_id = $1 AND status = 'published' ORDER BY opened_at`, [meeting.id]);
    const audit = await this.db.query(`SELECT seq, at, kind, payload, prev_hash AS "prevHash", hash FROM audit_log WHERE meeting_id = $1 ORDER BY seq`, [meeting.id]);
    return {
      format: 'quorum-meeting-export/1',
      exportedAt: new Date().toISOString(),
      meeting: { id: meeting.id, title: meeting.title, kind: meeting.kind, voterBasis: meeting.voter_basis, quorumRule: meeting.quorum_rule, scheduledAt: meeting.scheduled_at.toISOString() },
      ballots: await Promise.all(
        ballots.map(async (b) => ({
          id: b.id,
          title: b.title,
          kind: b.kind,
          options: b.options,
          seats: b.seats,
          maxChoices: b.max_choices,
          secrecy: b.secrecy,
          rule: b.rule,
          abstentionsCount: b.abstentions_count,
          presentWeight: b.present_weight,
          entitledWeight: b.entitled_weight,
          roll: (await this.db.query(`SELECT seat_id, label, weight, proxy_holder, instruction, present FROM ballot_roll WHERE ballot_id = $1 ORDER BY seat_id`, [b.id])).map(
            (s: RollSeat) => ({ seatId: s.seat_id, label: s.label, weight: s.weight, proxyHolder: s.proxy_holder, instruction: s.instruction, present: s.present }),
          ),
          bulletin: await this.buildBulletin(this.db.manager, b),
          result: b.result,
        })),
      ),
      audit: audit.map((e: { at: Date }) => ({ ...e, at: new Date(e.at).toISOString() })),
    };
  }

  /* ---------------- internals ---------------- */

  /** Appends to the meeting's chain. Takes the meeting lock unless the caller already holds it. */
  async audit(m: EntityManager, meetingId: string, entries: { kind: string; payload: unknown }[], locked = false): Promise<void> {
    if (!locked) await this.lockMeeting(m, meetingId);
    const [head] = await m.query(`SELECT seq, hash FROM audit_log WHERE meeting_id = $1 ORDER BY seq DESC LIMIT 1`, [meetingId]);
    let prev: { seq: number; hash: string } | null = head ?? null;
    const at = new Date();
    const rows = entries.map((e) => (prev = nextEntry(prev, e.kind, e.payload, at)));
    await m.query(
      `INSERT INTO audit_log (meeting_id, seq, at, kind, payload, prev_hash, hash)
       SELECT $1, * FROM unnest($2::int[], $3::timestamptz[], $4::text[], $5::jsonb[], $6::text[], $7::text[])`,
      [meetingId, rows.map((r) => r.seq), rows.map((r) => r.at), rows.map((r) => r.kind), rows.map((r) => JSON.stringify(r.payload)), rows.map((r) => r.prevHash), rows.map((r) => r.hash)],
    );
  }

  async lockMeeting(m: EntityManager, meetingId: string): Promise<void> {
    await m.query(`SELECT 1 FROM meetings WHERE id = $1 FOR UPDATE`, [meetingId]);
  }

  async countedVotes(m: EntityManager, ballot: BallotRow): Promise<CountedVote[]> {
    if (ballot.secrecy === 'roll-call') {
      return m.query(`SELECT c.choice, r.weight FROM ballot_casts c JOIN ballot_roll r USING (ballot_id, seat_id) WHERE c.ballot_id = $1`, [ballot.id]);
    }
    const rows: { sealed: Buffer }[] = await m.query(`SELECT sealed FROM secret_choices WHERE ballot_id = $1`, [ballot.id]);
    return rows.map((r) => this.sealer.open<CountedVote>(r.sealed));
  }

  tally(ballot: Pick<BallotRow, 'kind' | 'rule' | 'abstentions_count' | 'present_weight' | 'entitled_weight' | 'options' | 'seats' | 'max_choices'>, votes: CountedVote[]): BallotResult {
    if (ballot.kind === 'motion') {
      return {
        kind: 'motion',
        ...tallyMotion({
          rule: ballot.rule,
          abstentionsCount: ballot.abstentions_count,
          votes: votes.map((v) => ({ choice: v.choice as MotionChoice, weight: v.weight })),
          presentWeight: ballot.present_weight ?? 0,
          entitledWeight: ballot.entitled_weight ?? 0,
        }),
      };
    }
    return {
      kind: 'election',
      ...tallyElection({ candidates: ballot.options, seats: ballot.seats, maxChoices: ballot.max_choices, votes: votes.map((v) => ({ choice: v.choice as string[], weight: v.weight })) }),
    };
  }

  private async buildBulletin(m: EntityManager, ballot: BallotRow): Promise<BulletinEntry[]> {
    if (ballot.secrecy === 'roll-call') {
      const rows: { seat_id: string; label: string; choice: Choice; weight: number; receipt_hash: string }[] = await m.query(
        `SELECT c.seat_id, r.label, c.choice, r.weight, c.receipt_hash FROM ballot_casts c JOIN ballot_roll r USING (ballot_id, seat_id)
          WHERE c.ballot_id = $1 ORDER BY r.label, c.seat_id`,
        [ballot.id],
      );
      return rows.map((r) => ({ secrecy: 'roll-call', seatId: r.seat_id, label: r.label, choice: r.choice, weight: r.weight, receiptHash: r.receipt_hash }));
    }
    const rows: { sealed: Buffer; receipt_hash: string }[] = await m.query(`SELECT sealed, receipt_hash FROM secret_choices WHERE ballot_id = $1 ORDER BY receipt_hash`, [ballot.id]);
    return rows.map((r) => {
      const v = this.sealer.open<CountedVote>(r.sealed);
      return { secrecy: 'secret', receiptHash: r.receipt_hash, choice: v.choice, weight: v.weight };
    });
  }

  private scheduleClose(ballotId: string, at: Date): void {
    clearTimeout(this.timers.get(ballotId));
    const t = setTimeout(
      () => {
        this.timers.delete(ballotId);
        this.closeBallot(null, ballotId).catch((err) => this.logger.error({ err, ballotId }, 'timed close failed'));
      },
      Math.max(0, at.getTime() - Date.now()),
    );
    t.unref();
    this.timers.set(ballotId, t);
  }

  async ballot(ballotId: string): Promise<BallotRow> {
    return this.one<BallotRow>(`SELECT * FROM ballots WHERE id = $1`, [ballotId], 'Ballot not found.');
  }

  private async motions(meetingId: string, motionId?: string): Promise<MotionView[]> {
    const rows = await this.db.query(
      `SELECT m.id, m.agenda_item_id, m.amends_motion_id, m.title, m.text, m.mover_id, mu.display_name AS mover_name,
              m.seconder_id, su.display_name AS seconder_name, m.status
         FROM motions m JOIN users mu ON mu.id = m.mover_id LEFT JOIN users su ON su.id = m.seconder_id
        WHERE m.meeting_id = $1 AND ($2::uuid IS NULL OR m.id = $2) ORDER BY m.created_at`,
      [meetingId, motionId ?? null],
    );
    return rows.map((r: Record<string, string | null>) => ({
      id: r.id!,
      agendaItemId: r.agenda_item_id ?? null,
      amendsMotionId: r.amends_motion_id ?? null,
      title: r.title!,
      text: r.text!,
      moverId: r.mover_id!,
      moverName: r.mover_name!,
      seconderId: r.seconder_id ?? null,
      seconderName: r.seconder_name ?? null,
      status: r.status as MotionView['status'],
    }));
  }

  /** A meeting the person's organisation holds; NOT_FOUND for outsiders. */
  async member(userId: string, meetingId: string): Promise<MeetingRow> {
    const meeting = await this.meetingRow(meetingId);
    if (!(await this.orgs.isMember(userId, meeting.organization_id))) throw new AppError('NOT_FOUND', 'Meeting not found.');
    return meeting;
  }

  private async chair(userId: string, meetingId: string): Promise<MeetingRow> {
    const meeting = await this.member(userId, meetingId);
    if (meeting.chair_id !== userId) throw new AppError('FORBIDDEN', 'Only the chair can do this.');
    return meeting;
  }

  private async officer(userId: string, meetingId: string): Promise<MeetingRow> {
    const meeting = await this.member(userId, meetingId);
    if (meeting.chair_id !== userId && meeting.secretary_id !== userId) throw new AppError('FORBIDDEN', 'Only the chair or the secretary can do this.');
    return meeting;
  }

  private async one<T>(sql: string, params: unknown[], notFound: string): Promise<T> {
    const [row] = await this.db.query(sql, params);
    if (!row) throw new AppError('NOT_FOUND', notFound);
    return row as T;
  }
}
