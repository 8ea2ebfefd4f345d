import { hkdfSync, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import { encodeChoice, type CastReceipt, type Choice } from '../../contract';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { AppError } from '../../common/errors';
import { LOGGER } from '../../common/logging';
import { receiptHash } from './audit-chain';
import { deriveReceipt, receiptCode, sealVote } from './ballot-box';
import { AuditLog } from './audit-log';
import { DomainEvents } from '../../common/domain-events';
import { Sealer } from './seal';
import type { BallotRow, RollSeat } from './rows';

export interface CastRequest {
  ballotId: string;
  seatId: string;
  voterId: string;
  /** Roll-call, or an instructed proxy seat of a secret ballot (sealed here). */
  choice: Choice | null;
  /** Secret: the envelope sealed on the voter's device. */
  envelope: Buffer | null;
  requestKey: string;
}

interface Pending extends CastRequest {
  meetingId: string;
  asProxy: boolean;
  weight: number;
  /**
   * A secret vote: its envelope, and its receipt when the server sealed it (an instructed proxy seat);
   * a voter's own envelope holds a receipt only their device knows.
   */
  sealed: { receipt: string | null; envelope: Buffer } | null;
  resolve: (r: CastReceipt) => void;
  reject: (e: unknown) => void;
}

/** A vote of the batch not answered from a retry: its receipt and what is stored for it. */
interface Fresh {
  p: Pending;
  receipt: string | null;
  /** Roll-call: the receipt's hash, public with the choice. */
  rh: string | null;
  /** Secret: the sealed vote, the only place its choice is kept. */
  envelope: Buffer | null;
}

const MAX_BATCH = 250;

/**
 * Writes votes durably. Casts that arrive while a write is in flight are queued and written together
 * in the next transaction (one commit, one fsync for the batch), so throughput grows with load while
 * every vote is still committed — with its audit entry, in the same transaction — before it is acked.
 */
@Injectable()
export class VoteWriter {
  private queue: Pending[] = [];
  private writing = false;
  /** Receipts of the votes the server seals for instructed proxies: the same one again for a retry. */
  private readonly instructedReceipts: string;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
    private readonly events: DomainEvents,
    private readonly sealer: Sealer,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.instructedReceipts = Buffer.from(hkdfSync('sha256', config.ballotSealKey, Buffer.alloc(0), 'quorum/instructed-receipts', 32)).toString('base64url');
  }

  /**
   * Checks eligibility against the frozen roll and the choice against the ballot, then queues the
   * write. Resolves with the receipt once committed.
   */
  async cast(req: CastRequest, seat: RollSeat, ballot: BallotRow): Promise<CastReceipt> {
    let sealed: Pending['sealed'] = null;
    if (ballot.secrecy === 'secret') {
      if (req.choice !== null) {
        const receipt = deriveReceipt(this.instructedReceipts, `${ballot.id}/${req.seatId}`, req.requestKey);
        sealed = { receipt, envelope: sealVote(ballot.public_key!, ballot.id, { choice: encodeChoice(ballot, req.choice), receipt }) };
      } else sealed = { receipt: null, envelope: req.envelope! };
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ ...req, meetingId: ballot.meeting_id, asProxy: seat.proxy_holder === req.voterId, weight: seat.weight, sealed, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length) {
        const batch = this.take();
        try {
          await this.write(batch);
        } catch (err) {
          if (!(err instanceof AppError)) this.logger.error({ err, votes: batch.length }, 'vote batch failed');
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** Up to MAX_BATCH casts of one meeting, at most one per seat (a second one for a seat waits for the next batch). */
  private take(): Pending[] {
    const meetingId = this.queue[0]!.meetingId;
    const batch: Pending[] = [];
    const seats = new Set<string>();
    const rest: Pending[] = [];
    for (const p of this.queue) {
      const key = `${p.ballotId}/${p.seatId}`;
      if (p.meetingId === meetingId && batch.length < MAX_BATCH && !seats.has(key)) {
        batch.push(p);
        seats.add(key);
      } else rest.push(p);
    }
    this.queue = rest;
    return batch;
  }

  private async write(batch: Pending[]): Promise<void> {
    const outcomes = await this.db.transaction(async (m) => {
      // Ballot rows FOR SHARE before the meeting lock: a close (FOR UPDATE) waits for this batch, and
      // a batch after the close sees it closed. Same lock order everywhere, so no deadlock.
      const ballotIds = [...new Set(batch.map((p) => p.ballotId))];
      const ballots: BallotRow[] = await m.query(`SELECT * FROM ballots WHERE id = ANY($1::uuid[]) FOR SHARE`, [ballotIds]);
      const byId = new Map(ballots.map((b) => [b.id, b]));
      await this.audit.lockMeeting(m, batch[0]!.meetingId);
      const results = new Map<Pending, CastReceipt | AppError>();
      const audit: { kind: string; payload: unknown }[] = [];

      // A retry of a vote that was committed (its ack lost) gets the same receipt back: sealed for a
      // roll-call ballot; for a secret one derived again from the ballot's receipt key, never stored.
      const retried: { ballot_id: string; seat_id: string; sealed_receipt: Buffer | null }[] = await m.query(
        `SELECT c.ballot_id, c.seat_id, c.sealed_receipt FROM ballot_casts c
           JOIN unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[]) AS r(b, s, v, k)
             ON c.ballot_id = r.b AND c.seat_id = r.s AND c.voter_id = r.v AND c.request_key = r.k`,
        [batch.map((p) => p.ballotId), batch.map((p) => p.seatId), batch.map((p) => p.voterId), batch.map((p) => p.requestKey)],
      );
      const stored = new Map(retried.map((r) => [`${r.ballot_id}/${r.seat_id}`, r]));
      const fresh: Fresh[] = [];
      const again: Pending[] = [];
      const current = await this.stillHolding(m, batch.filter((p) => !stored.has(`${p.ballotId}/${p.seatId}`)));
      for (const p of batch) {
        const ballot = byId.get(p.ballotId)!;
        const prior = stored.get(`${p.ballotId}/${p.seatId}`);
        if (prior) {
          again.push(p);
          results.set(p, {
            ballotId: p.ballotId,
            seatId: p.seatId,
            receipt: prior.sealed_receipt ? this.sealer.open<string>(prior.sealed_receipt) : p.sealed!.receipt,
            recordSeq: 0,
            recordHash: '',
          });
        } else if (ballot.status !== 'open') results.set(p, new AppError('BALLOT_CLOSED', 'Voting on this ballot has closed.'));
        else if (!current.has(`${p.voterId}/${p.seatId}`)) results.set(p, new AppError('NOT_ELIGIBLE', 'You no longer hold this seat: you left the organisation or its delegation.'));
        else if (p.sealed) fresh.push({ p, receipt: p.sealed.receipt, rh: null, envelope: p.sealed.envelope });
        else {
          const receipt = receiptCode(randomBytes(20));
          fresh.push({ p, receipt, rh: receiptHash(p.ballotId, receipt), envelope: null });
        }
      }
      // Where each retried vote stands in the record: its latest vote entry for that seat.
      for (const p of again) {
        const [entry] = await m.query(
          `SELECT seq, hash FROM audit_log WHERE meeting_id = $1 AND kind IN ('vote.cast', 'vote.replaced') AND payload->>'ballotId' = $2 AND payload->>'seatId' = $3
            ORDER BY seq DESC LIMIT 1`,
          [p.meetingId, p.ballotId, p.seatId],
        );
        const r = results.get(p) as CastReceipt;
        if (entry) Object.assign(r, { recordSeq: entry.seq, recordHash: entry.hash });
      }

      // Every new vote in one statement; the primary key keeps one counted ballot per seat.
      const inserted: { ballot_id: string; seat_id: string }[] = fresh.length
        ? await m.query(
            `INSERT INTO ballot_casts (ballot_id, seat_id, voter_id, as_proxy, request_key, sealed_receipt, choice, receipt_hash, envelope)
             SELECT b, s, v, a, k, r, c::jsonb, h, e FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::bool[], $5::text[], $6::bytea[], $7::text[], $8::text[], $9::bytea[])
                    AS t(b, s, v, a, k, r, c, h, e)
             ON CONFLICT (ballot_id, seat_id) DO NOTHING RETURNING ballot_id, seat_id`,
            [
              fresh.map((f) => f.p.ballotId),
              fresh.map((f) => f.p.seatId),
              fresh.map((f) => f.p.voterId),
              fresh.map((f) => f.p.asProxy),
              fresh.map((f) => f.p.requestKey),
              fresh.map((f) => (f.envelope ? null : this.sealer.seal(f.receipt))),
              fresh.map((f) => (f.envelope ? null : JSON.stringify(f.p.choice))),
              fresh.map((f) => f.rh),
              fresh.map((f) => f.envelope),
            ],
          )
        : [];
      const won = new Set(inserted.map((r) => `${r.ballot_id}/${r.seat_id}`));
      const recorded: Pending[] = [];
      for (const f of fresh) {
        const { p } = f;
        const isNew = won.has(`${p.ballotId}/${p.seatId}`);
        if (!isNew) {
          if (!byId.get(p.ballotId)!.allow_revote) {
            results.set(p, new AppError('ALREADY_VOTED', 'This seat has already voted.'));
            continue;
          }
          await this.replace(m, f);
        }
        // The record of a secret vote says who voted for which seat, never what or with which receipt.
        audit.push({
          kind: isNew ? 'vote.cast' : 'vote.replaced',
          payload: f.envelope
            ? { ballotId: p.ballotId, seatId: p.seatId, voterId: p.voterId, asProxy: p.asProxy }
            : { ballotId: p.ballotId, seatId: p.seatId, voterId: p.voterId, asProxy: p.asProxy, choice: p.choice, receiptHash: f.rh },
        });
        recorded.push(p);
        results.set(p, { ballotId: p.ballotId, seatId: p.seatId, receipt: f.receipt, recordSeq: 0, recordHash: '' });
      }
      if (audit.length) {
        // Each receipt names the record's position and hash at its vote: an anchor no later edit can move.
        const entries = await this.audit.append(m, batch[0]!.meetingId, audit, true);
        recorded.forEach((p, i) => Object.assign(results.get(p) as CastReceipt, { recordSeq: entries[i]!.seq, recordHash: entries[i]!.hash }));
      }
      return results;
    });
    for (const p of batch) {
      const r = outcomes.get(p)!;
      if (r instanceof AppError) p.reject(r);
      else p.resolve(r);
    }
    for (const ballotId of new Set(batch.map((p) => p.ballotId))) this.events.emit('ballot.turnout', { meetingId: batch[0]!.meetingId, ballotId });
  }

  /**
   * The roll frozen at opening fixes the seats and their weights; who may cast for a seat is also
   * checked at the vote: a delegate removed from the institution, or anyone removed from the
   * organisation, can no longer vote for it (another delegate of the institution still can).
   */
  private async stillHolding(m: EntityManager, batch: Pending[]): Promise<Set<string>> {
    if (!batch.length) return new Set();
    const rows: { v: string; s: string }[] = await m.query(
      `SELECT r.v, r.s FROM unnest($1::uuid[], $2::uuid[], $3::bool[]) AS r(v, s, a) JOIN meetings mt ON mt.id = $4
        WHERE EXISTS (SELECT 1 FROM memberships mb WHERE mb.organization_id = mt.organization_id AND mb.user_id = r.v)
          AND (r.a OR mt.voter_basis = 'members' OR EXISTS (SELECT 1 FROM institution_delegates d WHERE d.institution_id = r.s AND d.user_id = r.v))`,
      [batch.map((p) => p.voterId), batch.map((p) => p.seatId), batch.map((p) => p.asProxy), batch[0]!.meetingId],
    );
    return new Set(rows.map((r) => `${r.v}/${r.s}`));
  }

  /** "Last one counts": the seat's earlier ballot (and, for a secret ballot, its envelope) is replaced in place. */
  private async replace(m: EntityManager, { p, receipt, rh, envelope }: Fresh): Promise<void> {
    await m.query(
      `UPDATE ballot_casts SET voter_id = $3, as_proxy = $4, request_key = $5, sealed_receipt = $6, choice = $7, receipt_hash = $8, envelope = $9, cast_at = now()
        WHERE ballot_id = $1 AND seat_id = $2`,
      [
        p.ballotId,
        p.seatId,
        p.voterId,
        p.asProxy,
        p.requestKey,
        envelope ? null : this.sealer.seal(receipt),
        envelope ? null : JSON.stringify(p.choice),
        rh,
        envelope,
      ],
    );
  }
}

