import { randomBytes, randomInt } from 'node:crypto';
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
import { type AuditEntry, canonicalJson, nextEntry, receiptHash, sha256 } from './audit-chain';
import { openVote } from './ballot-box';
import { BallotKeys } from './ballot-keys.service';
import { RecordSigner, type SignedHead } from './record-signer';
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
  readonly signer: RecordSigner;
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orgs: OrganizationsService,
    private readonly rooms: RoomRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly keys: BallotKeys,
  ) {
    this.sealer = new Sealer(config.ballotSealKey);
    this.signer = new RecordSigner(config.auditSigningKey);
  }

  /** Ballots with a timer that were open when the process stopped: close now or when due. */
  async onModuleInit(): Promise<void> {
    const open: { id: string; closes_at: Date }[] = await this.db.query(`SELECT id, closes_at FROM ballots WHERE status = 'open' AND closes_at IS NOT NULL`);
    for (const b of open) this.scheduleClose(b.id, b.closes_at);
    // Proxy instructions written in the clear by an earlier version are sealed now.
    const clear: { meeting_id: string; seat_id: string; instructions: Record<string, string> }[] = await this.db.query(
      `SELECT meeting_id, seat_id, instructions FROM proxies WHERE sealed_instructions IS NULL`,
    );
    for (const r of clear) {
      const sealed = this.sealInstructions(r.instructions);
      await this.db.query(`UPDATE proxies SET sealed_instructions = $3, instructions_commitment = $4, instructions = '{}' WHERE meeting_id = $1 AND seat_id = $2`, [
        r.meeting_id,
        r.seat_id,
        sealed.sealed,
        sealed.commitment,
      ]);
    }
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
      await this.audit(m, row.id, [{ kind: 'meeting.created', payload: { title: b.title, voterBasis: b.voterBasis, quorumRule: b.quorumRule, chairId: b.chairId ?? userId, recordKey: { publicKey: this.signer.publicKey, keyId: this.signer.keyId } } }]);
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
    // Instructions may bind a secret ballot: sealed, with only a salted commitment in the record.
    const sealed = this.sealInstructions(b.instructions);
    await this.db.transaction(async (m) => {
      await this.lockMeeting(m, meeting.id);
      await m.query(
        `INSERT INTO proxies (meeting_id, seat_id, grantor_id, holder_id, instructions, sealed_instructions, instructions_commitment) VALUES ($1, $2, $3, $4, '{}', $5, $6)
         ON CONFLICT (meeting_id, seat_id) DO UPDATE SET grantor_id = $3, holder_id = $4, instructions = '{}', sealed_instructions = $5, instructions_commitment = $6, created_at = now()`,
        [meeting.id, b.seatId, userId, b.holderId, sealed.sealed, sealed.commitment],
      );
      await this.audit(m, meeting.id, [{ kind: 'proxy.assigned', payload: { seatId: b.seatId, grantorId: userId, holderId: b.holderId, instructionsCommitment: sealed.commitment } }], true);
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
    const rows: { seat_id: string; holder_id: string; instructions: Record<string, RollSeat['instruction']>; sealed_instructions: Buffer | null }[] = await this.db.query(
      `SELECT seat_id, holder_id, instructions, sealed_instructions FROM proxies WHERE meeting_id = $1`,
      [meeting.id],
    );
    const proxies = rows.map((p) => ({
      ...p,
      instructions: p.sealed_instructions ? this.sealer.open<{ instructions: Record<string, RollSeat['instruction']> }>(p.sealed_instructions).instructions : p.instructions,
    }));
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
    const secret = ballot.secrecy === 'secret';
    // A secret ballot's proxy instructions stay sealed: the roll and the record carry a commitment.
    const hidden = roll.map((s) => (secret && s.instruction ? this.commitInstruction(ballotId, s.seat_id, s.instruction) : null));
    let publicKey: string | null = null;
    try {
      await this.db.transaction(async (m) => {
        const [locked] = await m.query(`SELECT status FROM ballots WHERE id = $1 FOR UPDATE`, [ballotId]);
        if (!nextBallotState(locked.status, 'open')) throw new AppError('ILLEGAL_TRANSITION', `A ${locked.status} ballot cannot be opened.`);
        if (roll.length === 0) throw new AppError('NOT_ELIGIBLE', 'Nobody is on the voter roll.');
        // The ballot's key exists (durably, outside the database) before anyone can vote.
        if (secret) publicKey = this.keys.create(ballotId).publicKey;
        await this.openInTransaction(m, { ballot, meeting, roll, hidden, q, closesAt, overrideReason, userId, publicKey });
      });
    } catch (err) {
      if (publicKey) this.keys.destroy(ballotId);
      throw err;
    }
    if (closesAt) this.scheduleClose(ballotId, closesAt);
    const view = await this.ballotView(ballotId);
    this.events.emit('ballot', { meetingId: meeting.id, event: 'ballot:opened', ballot: view });
    return view;
  }

  private async openInTransaction(
    m: EntityManager,
    o: {
      ballot: BallotRow;
      meeting: MeetingRow;
      roll: RollSeat[];
      hidden: ({ commitment: string; sealed: Buffer } | null)[];
      q: QuorumView;
      closesAt: Date | null;
      overrideReason: string | undefined;
      userId: string;
      publicKey: string | null;
    },
  ): Promise<void> {
    const { ballot, meeting, roll, hidden, q, closesAt, overrideReason, userId } = o;
    const ballotId = ballot.id;
      await m.query(
        `INSERT INTO ballot_roll (ballot_id, seat_id, label, weight, holders, proxy_holder, instruction, present, sealed_instruction, instruction_commitment)
         SELECT $1, s, l, w, h::uuid[], p, i, pr, si, ic
           FROM unnest($2::uuid[], $3::text[], $4::int[], $5::text[], $6::uuid[], $7::text[], $8::bool[], $9::bytea[], $10::text[]) AS t(s, l, w, h, p, i, pr, si, ic)`,
        [
          ballotId,
          roll.map((s) => s.seat_id),
          roll.map((s) => s.label),
          roll.map((s) => s.weight),
          // Arrays of arrays must be rectangular in PostgreSQL; holders travel as text and are cast back.
          roll.map((s) => `{${s.holders.join(',')}}`),
          roll.map((s) => s.proxy_holder),
          roll.map((s, i) => (hidden[i] ? null : s.instruction)),
          roll.map((s) => s.present),
          hidden.map((h) => h?.sealed ?? null),
          hidden.map((h) => h?.commitment ?? null),
        ],
      );
      const presentWeight = roll.filter((s) => s.present).reduce((n, s) => n + s.weight, 0);
      const entitledWeight = roll.reduce((n, s) => n + s.weight, 0);
      await m.query(
        `UPDATE ballots SET status = 'open', opened_at = now(), closes_at = $2, quorum_override = $3, present_weight = $4, entitled_weight = $5, public_key = $6 WHERE id = $1`,
        [ballotId, closesAt, q.met ? null : overrideReason, presentWeight, entitledWeight, o.publicKey],
      );
      if (ballot.motion_id) await m.query(`UPDATE motions SET status = 'voting' WHERE id = $1`, [ballot.motion_id]);
      const entries = [
        { kind: 'roll.frozen', payload: { ballotId, seats: roll.map((s, i) => rollEntry(s, hidden[i]?.commitment ?? null, ballot.secrecy)) } },
        ...(q.met ? [] : [{ kind: 'quorum.override', payload: { ballotId, by: userId, reason: overrideReason, quorum: q } }]),
        { kind: 'ballot.opened', payload: { ballotId, title: ballot.title, kind: ballot.kind, options: ballot.options, seats: ballot.seats, maxChoices: ballot.max_choices, secrecy: ballot.secrecy, rule: ballot.rule, abstentionsCount: ballot.abstentions_count, allowRevote: ballot.allow_revote, quorum: q, presentWeight, entitledWeight, closesAt: closesAt?.toISOString() ?? null, ...(o.publicKey ? { publicKey: o.publicKey } : {}) } },
      ];
      await this.audit(m, meeting.id, entries);
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
      const { votes, spoiled, units } = await this.count(m, locked!);
      if (units) await this.postBulletin(m, ballotId, units);
      const result = this.tally(locked!, votes);
      await m.query(`UPDATE ballots SET status = 'closed', closed_at = now(), result = $2, spoiled = $3 WHERE id = $1`, [ballotId, JSON.stringify(result), spoiled]);
      if (locked!.motion_id) await m.query(`UPDATE motions SET status = $2 WHERE id = $1`, [locked!.motion_id, result.outcome === 'carried' ? 'carried' : 'lost']);
      await this.audit(m, locked!.meeting_id, [
        { kind: 'ballot.closed', payload: { ballotId, by: userId ?? 'timer', ballotsCounted: votes.length, ...(spoiled ? { spoiled } : {}), result, resultHash: sha256(canonicalJson(result)) } },
      ]);
    });
    // Counted and on the bulletin board: the key that could open the envelopes is destroyed.
    if (ballot.secrecy === 'secret') this.keys.destroy(ballotId);
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
      const [entry] = await this.audit(m, locked!.meeting_id, [{ kind: 'ballot.published', payload: { ballotId, entries: bulletin.length, bulletinHash: sha256(canonicalJson(bulletin)) } }]);
      // The head of the record at publication, shown in the room and printed in the minutes.
      await m.query(`UPDATE ballots SET status = 'published', published_at = now(), published_seq = $2, published_hash = $3 WHERE id = $1`, [ballotId, entry!.seq, entry!.hash]);
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
    return (await this.db.query(`SELECT * FROM ballot_roll WHERE ballot_id = $1`, [ballotId])).map((s: StoredSeat) => this.unsealSeat(s));
  }

  /** For the server's own use and the seat's holder only: a sealed instruction in the clear. */
  private unsealSeat(s: StoredSeat): RollSeat {
    const { sealed_instruction, instruction_commitment, ...seat } = s;
    void instruction_commitment;
    return sealed_instruction ? { ...seat, instruction: this.sealer.open<{ instruction: RollSeat['instruction'] }>(sealed_instruction).instruction } : seat;
  }

  /** Seats of the frozen roll this person casts for (as holder, or as proxy), and whether each has voted. */
  async heldSeats(ballotId: string, userId: string): Promise<(RollSeat & { voted: boolean })[]> {
    const rows: (StoredSeat & { voted: boolean })[] = await this.db.query(
      `SELECT r.*, c.seat_id IS NOT NULL AS voted FROM ballot_roll r LEFT JOIN ballot_casts c USING (ballot_id, seat_id)
        WHERE r.ballot_id = $1 AND (r.proxy_holder = $2 OR (r.proxy_holder IS NULL AND $2 = ANY(r.holders)))`,
      [ballotId, userId],
    );
    return rows.map((r) => ({ ...this.unsealSeat(r), voted: r.voted }));
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
    const seats: RollSeat[] = ballotId ? await this.roll(ballotId) : (roll ?? (await this.seats(meeting)));
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
      publicKey: b.public_key,
      spoiled: b.spoiled,
      record: b.published_seq !== null && b.published_hash !== null ? { seq: b.published_seq, hash: b.published_hash } : null,
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
    // One snapshot for the ballots and the chain, so the signed head covers every ballot listed.
    return this.db.transaction('REPEATABLE READ', async (m) => {
      const ballots: BallotRow[] = await m.query(`SELECT * FROM ballots WHERE meeting_id = $1 AND status = 'published' ORDER BY opened_at`, [meeting.id]);
      const audit: AuditEntry[] = (await m.query(`SELECT seq, at, kind, payload, prev_hash AS "prevHash", hash FROM audit_log WHERE meeting_id = $1 ORDER BY seq`, [meeting.id])).map(
        (e: AuditEntry) => ({ ...e, at: new Date(e.at).toISOString() }),
      );
      const exported = [];
      for (const b of ballots) {
        exported.push({
          id: b.id,
          title: b.title,
          kind: b.kind,
          options: b.options,
          seats: b.seats,
          maxChoices: b.max_choices,
          secrecy: b.secrecy,
          rule: b.rule,
          abstentionsCount: b.abstentions_count,
          allowRevote: b.allow_revote,
          presentWeight: b.present_weight,
          entitledWeight: b.entitled_weight,
          roll: (await m.query(`SELECT * FROM ballot_roll WHERE ballot_id = $1 ORDER BY seat_id`, [b.id])).map((s: StoredSeat) => rollEntry(s, s.instruction_commitment, b.secrecy)),
          bulletin: await this.buildBulletin(m, b),
          result: b.result,
        });
      }
      const last = audit.at(-1);
      return {
        format: 'quorum-meeting-export/2',
        exportedAt: new Date().toISOString(),
        meeting: { id: meeting.id, title: meeting.title, kind: meeting.kind, voterBasis: meeting.voter_basis, quorumRule: meeting.quorum_rule, scheduledAt: meeting.scheduled_at.toISOString() },
        ballots: exported,
        audit,
        // The head of the chain signed by the server: an edited export cannot carry a valid one.
        signedHead: last ? this.signer.sign({ meetingId: meeting.id, seq: last.seq, hash: last.hash }) : null,
      };
    });
  }

  /* ---------------- internals ---------------- */

  /** Appends to the meeting's chain. Takes the meeting lock unless the caller already holds it. */
  async audit(m: EntityManager, meetingId: string, entries: { kind: string; payload: unknown }[], locked = false): Promise<AuditEntry[]> {
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
    return rows;
  }

  async lockMeeting(m: EntityManager, meetingId: string): Promise<void> {
    await m.query(`SELECT 1 FROM meetings WHERE id = $1 FOR UPDATE`, [meetingId]);
  }

  /**
   * The votes to count. A secret ballot's envelopes are opened with its key; each valid one becomes
   * one bulletin entry per unit of weight, with its own receipt hash, so a heavy seat is not singled
   * out by its weight. Envelopes that do not hold a valid choice are spoiled (counted, not tallied).
   */
  async count(m: EntityManager, ballot: BallotRow): Promise<{ votes: CountedVote[]; spoiled: number; units: { receiptHash: string; choice: Choice }[] | null }> {
    if (ballot.secrecy === 'roll-call') {
      const votes: CountedVote[] = await m.query(`SELECT c.choice, r.weight FROM ballot_casts c JOIN ballot_roll r USING (ballot_id, seat_id) WHERE c.ballot_id = $1`, [ballot.id]);
      return { votes, spoiled: 0, units: null };
    }
    const rows: { envelope: Buffer; weight: number }[] = await m.query(
      `SELECT c.envelope, r.weight FROM ballot_casts c JOIN ballot_roll r USING (ballot_id, seat_id) WHERE c.ballot_id = $1 AND c.envelope IS NOT NULL`,
      [ballot.id],
    );
    const keys = rows.length ? this.keys.forCounting(ballot.id) : null;
    const votes: CountedVote[] = [];
    const units: { receiptHash: string; choice: Choice }[] = [];
    const seen = new Set<string>();
    let spoiled = 0;
    for (const r of rows) {
      let vote: { choice: Choice; receipt: string } | null = null;
      try {
        const opened = openVote(keys!, ballot.id, r.envelope);
        vote = { choice: decodeChoice(ballot, opened.choice), receipt: opened.receipt };
      } catch {
        vote = null;
      }
      if (!vote || seen.has(vote.receipt)) {
        spoiled++;
        continue;
      }
      seen.add(vote.receipt);
      votes.push({ choice: vote.choice, weight: r.weight });
      for (let unit = 1; unit <= r.weight; unit++) units.push({ receiptHash: receiptHash(ballot.id, vote.receipt, unit), choice: vote.choice });
    }
    return { votes, spoiled, units };
  }

  /**
   * The public bulletin board of a secret ballot, written once, at the count, in a random order and in
   * no transaction a cast shares; the envelopes are erased in the same step.
   */
  private async postBulletin(m: EntityManager, ballotId: string, units: { receiptHash: string; choice: Choice }[]): Promise<void> {
    for (let i = units.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [units[i], units[j]] = [units[j]!, units[i]!];
    }
    if (units.length) {
      await m.query(`INSERT INTO ballot_bulletin (ballot_id, receipt_hash, choice) SELECT $1, h, c::jsonb FROM unnest($2::text[], $3::text[]) AS t(h, c)`, [
        ballotId,
        units.map((u) => u.receiptHash),
        units.map((u) => JSON.stringify(u.choice)),
      ]);
    }
    await m.query(`UPDATE ballot_casts SET envelope = NULL WHERE ballot_id = $1`, [ballotId]);
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
    const rows: { receipt_hash: string; choice: Choice }[] = await m.query(`SELECT receipt_hash, choice FROM ballot_bulletin WHERE ballot_id = $1 ORDER BY receipt_hash`, [ballot.id]);
    return rows.map((r) => ({ secrecy: 'secret', receiptHash: r.receipt_hash, choice: r.choice, weight: 1 }));
  }

  /** Seals a proxy's instructions with a salt; the commitment binds them without showing them. */
  private sealInstructions(instructions: Record<string, string>): { sealed: Buffer; commitment: string } {
    const salt = randomBytes(32).toString('base64url');
    return { sealed: this.sealer.seal({ instructions, salt }), commitment: sha256(`${canonicalJson(instructions)}\n${salt}`) };
  }

  private commitInstruction(ballotId: string, seatId: string, instruction: NonNullable<RollSeat['instruction']>): { sealed: Buffer; commitment: string } {
    const salt = randomBytes(32).toString('base64url');
    return { sealed: this.sealer.seal({ instruction, salt }), commitment: sha256(`${ballotId}\n${seatId}\n${instruction}\n${salt}`) };
  }

  /** The head of a meeting's record, signed with the server's record key. */
  async signedHead(meetingId: string): Promise<SignedHead | null> {
    const [head] = await this.db.query(`SELECT seq, hash FROM audit_log WHERE meeting_id = $1 ORDER BY seq DESC LIMIT 1`, [meetingId]);
    return head ? this.signer.sign({ meetingId, seq: head.seq, hash: head.hash }) : null;
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

/** A ballot_roll row as stored: a secret ballot's instruction is sealed, with its commitment beside it. */
type StoredSeat = RollSeat & { sealed_instruction: Buffer | null; instruction_commitment: string | null };

/** A roll entry as the record and the export show it: a secret ballot shows the commitment, never the instruction. */
function rollEntry(s: RollSeat, commitment: string | null, secrecy: BallotRow['secrecy']) {
  const base = { seatId: s.seat_id, label: s.label, weight: s.weight, proxyHolder: s.proxy_holder, present: s.present };
  return secrecy === 'secret' ? { ...base, instructionCommitment: commitment } : { ...base, instruction: s.instruction };
}

/** Candidate indexes back to names, checked: anything else makes the envelope spoiled. */
function decodeChoice(ballot: Pick<BallotRow, 'kind' | 'options' | 'max_choices'>, c: unknown): Choice {
  if (ballot.kind === 'motion') {
    if (c === 'yes' || c === 'no' || c === 'abstain') return c;
    throw new RangeError('not a motion choice');
  }
  if (!Array.isArray(c) || c.length > ballot.max_choices || new Set(c).size !== c.length || c.some((i) => !Number.isInteger(i) || i < 0 || i >= ballot.options.length)) {
    throw new RangeError('not an election choice');
  }
  return c.map((i: number) => ballot.options[i]!);
}
