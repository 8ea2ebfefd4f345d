import { randomInt } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import type { z } from 'zod';
import { combineKey, fromB64url, publicKeyOf, type BallotKeyPlan, type BallotView, type BulletinEntry, type Choice, type CreateBallotBody, type OpenBallotBody, type QuorumView } from '../../contract';
import { AppError } from '../../common/errors';
import { LOGGER } from '../../common/logging';
import { canonicalJson, receiptHash, sha256 } from './audit-chain';
import { AuditLog } from './audit-log';
import { openVote } from './ballot-box';
import { type BallotState, nextBallotState } from './ballot-state';
import { DomainEvents } from '../../common/domain-events';
import { MeetingAccess, oneRow } from './meeting-access';
import { MotionsService } from './motions.service';
import { RollService, rollEntry } from './roll.service';
import type { BallotRow, CountedVote, MeetingRow, RollSeat } from './rows';
import { tallyBallot } from './tally';

/**
 * Ballots: created by the chair, opened on a frozen roll (with quorum, or a recorded override), closed
 * and counted, published with their bulletin board. Every status change goes through the ballot state
 * machine and is recorded in the meeting's audit chain in the same transaction.
 */
@Injectable()
export class BallotsService implements OnModuleInit, OnApplicationShutdown {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: MeetingAccess,
    private readonly audit: AuditLog,
    private readonly motions: MotionsService,
    private readonly roll: RollService,
    private readonly events: DomainEvents,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Ballots with a timer that were open when the process stopped: close now or when due. */
  async onModuleInit(): Promise<void> {
    const open: { id: string; closes_at: Date }[] = await this.db.query(`SELECT id, closes_at FROM ballots WHERE status = $1 AND closes_at IS NOT NULL`, [
      'open' satisfies BallotState,
    ]);
    for (const b of open) this.scheduleClose(b.id, b.closes_at);
    await this.roll.sealClearInstructions();
  }

  onApplicationShutdown(): void {
    for (const t of this.timers.values()) clearTimeout(t);
  }

  async create(userId: string, meetingId: string, b: z.output<typeof CreateBallotBody>): Promise<BallotView> {
    const meeting = await this.access.require(userId, meetingId, 'ballot.manage');
    let title: string;
    let options: string[];
    if (b.motionId) {
      title = (await this.motions.assertReadyForVote(meeting.id, b.motionId)).title;
      options = ['yes', 'no', 'abstain'];
    } else {
      title = b.election!.title;
      options = b.election!.candidates;
    }
    const [row] = await this.db.query(
      `INSERT INTO ballots (meeting_id, motion_id, kind, title, options, seats, max_choices, secrecy, rule, abstentions_count, allow_revote, duration_seconds, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
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
        'draft' satisfies BallotState,
      ],
    );
    return this.view(row.id);
  }

  /**
   * Freezes the roll, checks the quorum (refused without it unless the chair gives a reason, which is
   * recorded), and opens voting. A secret ballot comes with its key, made on the opener's device: the
   * public half, and the private half split among the meeting's tellers, each share sealed to a
   * teller's own key. The server keeps the sealed shares and never holds the private key while the
   * ballot is open.
   */
  async open(userId: string, ballotId: string, body: z.output<typeof OpenBallotBody> = {}): Promise<BallotView> {
    const ballot = await this.ballot(ballotId);
    const meeting = await this.access.require(userId, ballot.meeting_id, 'ballot.manage');
    const roll = await this.roll.seats(meeting, ballot.motion_id);
    const q = await this.roll.quorumOf(meeting, roll);
    if (!q.met && !body.overrideQuorumReason) throw new AppError('QUORUM_NOT_MET', `Quorum not met: ${q.counted} of ${q.required} seats.`, q);
    let key: { publicKey: string; threshold: number; shares: { tellerId: string; sealedShare: string }[] } | null = null;
    if (ballot.secrecy === 'secret') {
      const plan = await this.keyPlanOf(meeting, userId);
      if (!body.key) throw new AppError('SEALED_VOTE_REQUIRED', 'A secret ballot opens with its key, made on your device and split among the tellers.', plan);
      const missing = plan.tellers.filter((t) => !t.publicKey);
      if (missing.length) throw new AppError('TELLER_KEY_MISSING', `Some tellers have no teller key yet: ${missing.map((t) => t.displayName).join(', ')}.`, plan);
      const given = new Set(body.key.shares.map((sh) => sh.tellerId));
      if (given.size !== body.key.shares.length || given.size !== plan.tellers.length || plan.tellers.some((t) => !given.has(t.userId))) {
        throw new AppError('KEY_SHARE_INVALID', 'One key share for each of the meeting’s tellers, no more.', plan);
      }
      key = { publicKey: body.key.publicKey, threshold: plan.threshold, shares: body.key.shares };
    } else if (body.key) throw new AppError('INVALID_PAYLOAD', 'A roll-call ballot has no key.');
    const closesAt = ballot.duration_seconds ? new Date(Date.now() + ballot.duration_seconds * 1000) : null;
    // A secret ballot's proxy instructions stay sealed: the roll and the record carry a commitment.
    const hidden = roll.map((s) => (ballot.secrecy === 'secret' && s.instruction ? this.roll.commitInstruction(ballotId, s.seat_id, s.instruction) : null));
    await this.db.transaction(async (m) => {
      const [locked] = await m.query(`SELECT status FROM ballots WHERE id = $1 FOR UPDATE`, [ballotId]);
      const next = nextBallotState(locked.status, 'open');
      if (!next) throw new AppError('ILLEGAL_TRANSITION', `A ${locked.status} ballot cannot be opened.`);
      if (roll.length === 0) throw new AppError('NOT_ELIGIBLE', 'Nobody is on the voter roll.');
      if (key) {
        await m.query(`INSERT INTO ballot_key_shares (ballot_id, teller_id, sealed_share) SELECT $1, t, s FROM unnest($2::uuid[], $3::bytea[]) AS x(t, s)`, [
          ballotId,
          key.shares.map((sh) => sh.tellerId),
          key.shares.map((sh) => Buffer.from(sh.sealedShare, 'base64url')),
        ]);
      }
      await this.openIn(m, { ballot, meeting, roll, hidden, q, closesAt, overrideReason: body.overrideQuorumReason, userId, key, next });
    });
    if (closesAt) this.scheduleClose(ballotId, closesAt);
    const view = await this.view(ballotId);
    this.events.emit('ballot.changed', { meetingId: meeting.id, event: 'ballot:opened', ballot: view });
    return view;
  }

  /**
   * Who will hold a secret ballot's key if `userId` opens it now: the meeting's tellers, or the opener
   * alone when the meeting names none; each with the public key their device registered.
   */
  async keyPlan(userId: string, ballotId: string): Promise<BallotKeyPlan> {
    const ballot = await this.ballot(ballotId);
    const meeting = await this.access.require(userId, ballot.meeting_id, 'ballot.manage');
    return this.keyPlanOf(meeting, userId);
  }

  private async keyPlanOf(meeting: MeetingRow, userId: string): Promise<BallotKeyPlan> {
    const named = meeting.tellers.length > 0;
    const ids = named ? meeting.tellers : [userId];
    const rows: { id: string; display_name: string; public_key: string | null }[] = await this.db.query(
      `SELECT u.id, u.display_name, k.public_key FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n) JOIN users u ON u.id = t.id LEFT JOIN teller_keys k ON k.user_id = u.id ORDER BY t.n`,
      [ids],
    );
    return { threshold: named ? Math.min(meeting.teller_threshold, rows.length) : 1, tellers: rows.map((r) => ({ userId: r.id, displayName: r.display_name, publicKey: r.public_key })) };
  }

  /** A teller's own sealed share of a ballot's key, for their device to open. */
  async myShare(userId: string, ballotId: string): Promise<{ sealedShare: string }> {
    const ballot = await this.ballot(ballotId);
    await this.access.require(userId, ballot.meeting_id, 'ballot.view');
    const [row] = await this.db.query(`SELECT sealed_share FROM ballot_key_shares WHERE ballot_id = $1 AND teller_id = $2`, [ballotId, userId]);
    if (!row) throw new AppError('FORBIDDEN', 'You are not a teller of this ballot.');
    return { sealedShare: (row.sealed_share as Buffer).toString('base64url') };
  }

  private async openIn(
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
      key: { publicKey: string; threshold: number; shares: { tellerId: string }[] } | null;
      next: BallotState;
    },
  ): Promise<void> {
    const { ballot, meeting, roll, hidden, q, closesAt, overrideReason, userId, key } = o;
    await m.query(
      `INSERT INTO ballot_roll (ballot_id, seat_id, label, weight, holders, proxy_holder, instruction, present, sealed_instruction, instruction_commitment)
       SELECT $1, s, l, w, h::uuid[], p, i, pr, si, ic
         FROM unnest($2::uuid[], $3::text[], $4::int[], $5::text[], $6::uuid[], $7::text[], $8::bool[], $9::bytea[], $10::text[]) AS t(s, l, w, h, p, i, pr, si, ic)`,
      [
        ballot.id,
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
      `UPDATE ballots SET status = $7, opened_at = now(), closes_at = $2, quorum_override = $3, present_weight = $4, entitled_weight = $5, public_key = $6, key_threshold = $8 WHERE id = $1`,
      [ballot.id, closesAt, q.met ? null : overrideReason, presentWeight, entitledWeight, key?.publicKey ?? null, o.next, key?.threshold ?? null],
    );
    if (ballot.motion_id) await this.motions.decide(m, ballot.motion_id, 'vote');
    const entries = [
      { kind: 'roll.frozen', payload: { ballotId: ballot.id, seats: roll.map((s, i) => rollEntry(s, hidden[i]?.commitment ?? null, ballot.secrecy)) } },
      ...(q.met ? [] : [{ kind: 'quorum.override', payload: { ballotId: ballot.id, by: userId, reason: overrideReason, quorum: q } }]),
      {
        kind: 'ballot.opened',
        payload: {
          ballotId: ballot.id,
          title: ballot.title,
          kind: ballot.kind,
          options: ballot.options,
          seats: ballot.seats,
          maxChoices: ballot.max_choices,
          secrecy: ballot.secrecy,
          rule: ballot.rule,
          abstentionsCount: ballot.abstentions_count,
          allowRevote: ballot.allow_revote,
          quorum: q,
          presentWeight,
          entitledWeight,
          closesAt: closesAt?.toISOString() ?? null,
          ...(key ? { publicKey: key.publicKey, tellers: key.shares.map((sh) => sh.tellerId), keyThreshold: key.threshold } : {}),
        },
      },
    ];
    await this.audit.append(m, meeting.id, entries);
  }

  /**
   * Ends voting. A roll-call ballot is counted at once; a secret one waits ('counting') for its
   * tellers' key shares. `userId` null: the ballot's timer.
   */
  async close(userId: string | null, ballotId: string): Promise<BallotView> {
    const ballot = await this.ballot(ballotId);
    if (userId) await this.access.require(userId, ballot.meeting_id, 'ballot.manage');
    clearTimeout(this.timers.get(ballotId));
    this.timers.delete(ballotId);
    await this.db.transaction(async (m) => {
      // Waits for in-flight votes (they hold this row FOR SHARE): every acknowledged vote is counted.
      const [locked]: BallotRow[] = await m.query(`SELECT * FROM ballots WHERE id = $1 FOR UPDATE`, [ballotId]);
      if (locked!.secrecy === 'secret') {
        const next = nextBallotState(locked!.status, 'end-voting');
        if (!next) throw new AppError('ILLEGAL_TRANSITION', `A ${locked!.status} ballot cannot be closed.`);
        const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM ballot_casts WHERE ballot_id = $1`, [ballotId]);
        await m.query(`UPDATE ballots SET status = $2, voting_closed_at = now() WHERE id = $1`, [ballotId, next]);
        await this.audit.append(m, locked!.meeting_id, [{ kind: 'ballot.voting-ended', payload: { ballotId, by: userId ?? 'timer', ballotsReceived: n } }]);
        return;
      }
      const next = nextBallotState(locked!.status, 'close');
      if (!next) throw new AppError('ILLEGAL_TRANSITION', `A ${locked!.status} ballot cannot be closed.`);
      await this.countIn(m, locked!, userId ?? 'timer', null, next);
    });
    const view = await this.view(ballotId);
    this.events.emit('ballot.changed', { meetingId: ballot.meeting_id, event: 'ballot:closed', ballot: view });
    return view;
  }

  /**
   * A teller releases their share of a secret ballot's key, opened on their device. Shares are kept
   * until the threshold is reached (fewer than the threshold tell nothing); the share that reaches it
   * is never stored: the key is rebuilt in memory, checked against the ballot's public key, the
   * envelopes are opened and counted, and every share is erased — all in one transaction.
   */
  async releaseShare(userId: string, ballotId: string, share: string): Promise<BallotView> {
    const ballot = await this.ballot(ballotId);
    await this.access.require(userId, ballot.meeting_id, 'ballot.view');
    let counted = false;
    await this.db.transaction(async (m) => {
      const [locked]: BallotRow[] = await m.query(`SELECT * FROM ballots WHERE id = $1 FOR UPDATE`, [ballotId]);
      const shares: { teller_id: string; released_share: Buffer | null; released_at: Date | null }[] = await m.query(
        `SELECT teller_id, released_share, released_at FROM ballot_key_shares WHERE ballot_id = $1`,
        [ballotId],
      );
      const mine = shares.find((r) => r.teller_id === userId);
      if (!mine) throw new AppError('FORBIDDEN', 'You are not a teller of this ballot.');
      if (locked!.status === 'open') throw new AppError('BALLOT_NOT_OPEN', 'Shares are released once voting has ended.');
      if (locked!.status !== 'counting') throw new AppError('BALLOT_CLOSED', 'This ballot has been counted.');
      // A teller releases once (a second click, or this device and another): the first share stands.
      if (mine.released_at) return;
      const released = new Map<string, Uint8Array>(shares.filter((r) => r.released_share).map((r) => [r.teller_id, new Uint8Array(r.released_share!)]));
      released.set(userId, new Uint8Array(fromB64url(share)));
      await this.audit.append(m, locked!.meeting_id, [{ kind: 'key.share-released', payload: { ballotId, tellerId: userId } }]);
      const privateKey = released.size >= locked!.key_threshold! ? await rebuildKey([...released.values()], locked!.key_threshold!, locked!.public_key!) : null;
      if (!privateKey) {
        if (released.size >= locked!.key_threshold!) this.logger.warn({ ballotId, released: released.size }, 'released key shares do not rebuild the ballot key');
        await m.query(`UPDATE ballot_key_shares SET released_share = $3, released_at = now() WHERE ballot_id = $1 AND teller_id = $2`, [ballotId, userId, Buffer.from(fromB64url(share))]);
        return;
      }
      await this.countIn(m, locked!, 'tellers', { publicKey: locked!.public_key!, privateKey }, nextBallotState(locked!.status, 'count')!);
      // Every share is erased; the one that reached the threshold is marked released, never stored.
      await m.query(`UPDATE ballot_key_shares SET released_share = NULL, released_at = CASE WHEN teller_id = $2 THEN now() ELSE released_at END WHERE ballot_id = $1`, [
        ballotId,
        userId,
      ]);
      counted = true;
    });
    const view = await this.view(ballotId);
    this.events.emit('ballot.changed', { meetingId: ballot.meeting_id, event: counted ? 'ballot:closed' : 'ballot:tellers', ballot: view });
    return view;
  }

  /** Counts, posts the bulletin (secret), records the result and decides the motion, in `m`. */
  private async countIn(m: EntityManager, ballot: BallotRow, by: string, key: { publicKey: string; privateKey: string } | null, next: BallotState): Promise<void> {
    const ballotId = ballot.id;
    const { votes, spoiled, units } = await this.count(m, ballot, key);
    if (units) await this.postBulletin(m, ballotId, units);
    const result = tallyBallot(ballot, votes);
    await m.query(`UPDATE ballots SET status = $4, closed_at = now(), result = $2, spoiled = $3 WHERE id = $1`, [ballotId, JSON.stringify(result), spoiled, next]);
    if (ballot.motion_id) await this.motions.decide(m, ballot.motion_id, result.outcome === 'carried' ? 'carry' : 'lose');
    await this.audit.append(m, ballot.meeting_id, [
      { kind: 'ballot.closed', payload: { ballotId, by, ballotsCounted: votes.length, ...(spoiled ? { spoiled } : {}), result, resultHash: sha256(canonicalJson(result)) } },
    ]);
  }

  async publish(userId: string, ballotId: string): Promise<BallotView> {
    const ballot = await this.ballot(ballotId);
    await this.access.require(userId, ballot.meeting_id, 'ballot.manage');
    await this.db.transaction(async (m) => {
      const [locked]: BallotRow[] = await m.query(`SELECT * FROM ballots WHERE id = $1 FOR UPDATE`, [ballotId]);
      const next = nextBallotState(locked!.status, 'publish');
      if (!next) throw new AppError('ILLEGAL_TRANSITION', `A ${locked!.status} ballot cannot be published.`);
      const bulletin = await this.bulletinOf(m, locked!);
      const [entry] = await this.audit.append(m, locked!.meeting_id, [{ kind: 'ballot.published', payload: { ballotId, entries: bulletin.length, bulletinHash: sha256(canonicalJson(bulletin)) } }]);
      // The head of the record at publication, shown in the room and printed in the minutes.
      await m.query(`UPDATE ballots SET status = $4, published_at = now(), published_seq = $2, published_hash = $3 WHERE id = $1`, [ballotId, entry!.seq, entry!.hash, next]);
    });
    const view = await this.view(ballotId);
    this.events.emit('ballot.changed', { meetingId: ballot.meeting_id, event: 'result:published', ballot: view });
    return view;
  }

  /** After publication: receipt hash → choice (secret), or seat → choice (roll-call). */
  async bulletin(userId: string, ballotId: string): Promise<BulletinEntry[]> {
    const ballot = await this.ballot(ballotId);
    await this.access.require(userId, ballot.meeting_id, 'ballot.view');
    if (ballot.status !== 'published') throw new AppError('BALLOT_NOT_OPEN', 'The bulletin board appears when the result is published.');
    return this.bulletinOf(this.db.manager, ballot);
  }

  async get(userId: string, ballotId: string): Promise<BallotView> {
    const ballot = await this.ballot(ballotId);
    await this.access.require(userId, ballot.meeting_id, 'ballot.view');
    return this.view(ballotId);
  }

  async ballot(ballotId: string): Promise<BallotRow> {
    return oneRow<BallotRow>(this.db, `SELECT * FROM ballots WHERE id = $1`, [ballotId], 'Ballot not found.');
  }

  async view(ballotId: string): Promise<BallotView> {
    const b = await this.ballot(ballotId);
    let turnout: BallotView['turnout'] = null;
    if (b.status !== 'draft') {
      const [t] = await this.db.query(
        `SELECT (SELECT count(*)::int FROM ballot_casts WHERE ballot_id = $1) AS cast, (SELECT count(*)::int FROM ballot_roll WHERE ballot_id = $1) AS entitled`,
        [ballotId],
      );
      turnout = t;
    }
    let tellers: BallotView['tellers'] = null;
    if (b.secrecy === 'secret' && b.status !== 'draft') {
      const rows: { teller_id: string; display_name: string; released: boolean }[] = await this.db.query(
        `SELECT s.teller_id, u.display_name, s.released_at IS NOT NULL AS released FROM ballot_key_shares s JOIN users u ON u.id = s.teller_id WHERE s.ballot_id = $1 ORDER BY u.display_name, s.teller_id`,
        [ballotId],
      );
      tellers = rows.map((r) => ({ userId: r.teller_id, displayName: r.display_name, released: r.released }));
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
      tellers,
      keyThreshold: b.key_threshold,
      spoiled: b.spoiled,
      record: b.published_seq !== null && b.published_hash !== null ? { seq: b.published_seq, hash: b.published_hash } : null,
    };
  }

  /** The bulletin board as published: from the casts (roll-call) or from the board written at the count (secret). */
  async bulletinOf(m: EntityManager, ballot: BallotRow): Promise<BulletinEntry[]> {
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

  /**
   * The votes to count. A secret ballot's envelopes are opened with its key; each valid one becomes
   * one bulletin entry per unit of weight, with its own receipt hash, so a heavy seat is not singled
   * out by its weight. Envelopes that do not hold a valid choice are spoiled (counted, not tallied).
   */
  private async count(
    m: EntityManager,
    ballot: BallotRow,
    keys: { publicKey: string; privateKey: string } | null,
  ): Promise<{ votes: CountedVote[]; spoiled: number; units: { receiptHash: string; choice: Choice }[] | null }> {
    if (ballot.secrecy === 'roll-call') {
      const votes: CountedVote[] = await m.query(`SELECT c.choice, r.weight FROM ballot_casts c JOIN ballot_roll r USING (ballot_id, seat_id) WHERE c.ballot_id = $1`, [ballot.id]);
      return { votes, spoiled: 0, units: null };
    }
    const rows: { envelope: Buffer; weight: number }[] = await m.query(
      `SELECT c.envelope, r.weight FROM ballot_casts c JOIN ballot_roll r USING (ballot_id, seat_id) WHERE c.ballot_id = $1 AND c.envelope IS NOT NULL`,
      [ballot.id],
    );
    const votes: CountedVote[] = [];
    const units: { receiptHash: string; choice: Choice }[] = [];
    const seen = new Set<string>();
    let spoiled = 0;
    for (const r of rows) {
      let vote: { choice: Choice; receipt: string } | null;
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

  private scheduleClose(ballotId: string, at: Date): void {
    clearTimeout(this.timers.get(ballotId));
    const t = setTimeout(
      () => {
        this.timers.delete(ballotId);
        this.close(null, ballotId).catch((err) => this.logger.error({ err, ballotId }, 'timed close failed'));
      },
      Math.max(0, at.getTime() - Date.now()),
    );
    t.unref();
    this.timers.set(ballotId, t);
  }
}

/** The ballot's private key from any `threshold` of the released shares that rebuild its public key; null if none do. */
async function rebuildKey(shares: Uint8Array[], threshold: number, publicKey: string): Promise<string | null> {
  for (const subset of combinations(shares, threshold)) {
    try {
      const key = await combineKey(subset, threshold);
      if (publicKeyOf(key) === publicKey) return key;
    } catch {
      // a malformed share: try the others
    }
  }
  return null;
}

function* combinations<T>(items: T[], k: number, from = 0, picked: T[] = []): Generator<T[]> {
  if (picked.length === k) {
    yield picked;
    return;
  }
  for (let i = from; i <= items.length - (k - picked.length); i++) yield* combinations(items, k, i + 1, [...picked, items[i]!]);
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
