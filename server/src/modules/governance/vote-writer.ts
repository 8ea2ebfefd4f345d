import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import type { CastReceipt, Choice } from '../../contract';
import { AppError } from '../../common/errors';
import { LOGGER } from '../../common/logging';
import { receiptHash } from './audit-chain';
import { GovernanceService } from './governance.service';
import type { BallotRow, RollSeat } from './rows';

export interface CastRequest {
  ballotId: string;
  seatId: string;
  voterId: string;
  choice: Choice;
  requestKey: string;
}

interface Pending extends CastRequest {
  meetingId: string;
  asProxy: boolean;
  weight: number;
  resolve: (r: CastReceipt) => void;
  reject: (e: unknown) => void;
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

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly governance: GovernanceService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Checks eligibility against the frozen roll and the choice against the ballot, then queues the
   * write. Resolves with the receipt once committed.
   */
  async cast(req: CastRequest, seat: RollSeat, ballot: BallotRow): Promise<CastReceipt> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...req, meetingId: ballot.meeting_id, asProxy: seat.proxy_holder === req.voterId, weight: seat.weight, resolve, reject });
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
      await this.governance.lockMeeting(m, batch[0]!.meetingId);
      const audit: { kind: string; payload: unknown }[] = [];
      const results: (CastReceipt | AppError)[] = [];
      for (const p of batch) results.push(await this.writeOne(m, p, byId.get(p.ballotId)!, audit));
      if (audit.length) await this.governance.audit(m, batch[0]!.meetingId, audit, true);
      return results;
    });
    batch.forEach((p, i) => {
      const r = outcomes[i]!;
      if (r instanceof AppError) p.reject(r);
      else p.resolve(r);
    });
    for (const ballotId of new Set(batch.map((p) => p.ballotId))) this.governance.events.emit('turnout', { meetingId: batch[0]!.meetingId, ballotId });
  }

  private async writeOne(m: EntityManager, p: Pending, ballot: BallotRow, audit: { kind: string; payload: unknown }[]): Promise<CastReceipt | AppError> {
    if (ballot.status !== 'open') return new AppError('BALLOT_CLOSED', 'Voting on this ballot has closed.');
    // A retry of a vote that was committed (its ack lost) gets the same receipt back.
    const [again] = await m.query(`SELECT sealed_receipt FROM ballot_casts WHERE ballot_id = $1 AND seat_id = $2 AND voter_id = $3 AND request_key = $4`, [
      p.ballotId,
      p.seatId,
      p.voterId,
      p.requestKey,
    ]);
    if (again) return { ballotId: p.ballotId, seatId: p.seatId, receipt: this.governance.sealer.open<string>(again.sealed_receipt) };

    const receipt = newReceipt();
    const rh = receiptHash(p.ballotId, receipt);
    const secret = ballot.secrecy === 'secret';
    const choiceId = secret ? randomUUID() : null;
    const values = [p.ballotId, p.seatId, p.voterId, p.asProxy, p.requestKey, this.governance.sealer.seal(receipt), secret ? null : JSON.stringify(p.choice), secret ? null : rh, choiceId ? this.governance.sealer.seal(choiceId) : null];
    const inserted = await m.query(
      `INSERT INTO ballot_casts (ballot_id, seat_id, voter_id, as_proxy, request_key, sealed_receipt, choice, receipt_hash, sealed_ref)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (ballot_id, seat_id) DO NOTHING RETURNING seat_id`,
      values,
    );
    if (inserted.length === 0) {
      if (!ballot.allow_revote) return new AppError('ALREADY_VOTED', 'This seat has already voted.');
      // "Last one counts": replace the seat's ballot (and, for a secret ballot, its sealed choice).
      const [old] = await m.query(`SELECT sealed_ref FROM ballot_casts WHERE ballot_id = $1 AND seat_id = $2 FOR UPDATE`, [p.ballotId, p.seatId]);
      if (old?.sealed_ref) await m.query(`DELETE FROM secret_choices WHERE id = $1`, [this.governance.sealer.open<string>(old.sealed_ref)]);
      await m.query(
        `UPDATE ballot_casts SET voter_id = $3, as_proxy = $4, request_key = $5, sealed_receipt = $6, choice = $7, receipt_hash = $8, sealed_ref = $9, cast_at = now()
          WHERE ballot_id = $1 AND seat_id = $2`,
        values,
      );
    }
    if (choiceId) await m.query(`INSERT INTO secret_choices (id, ballot_id, sealed, receipt_hash) VALUES ($1, $2, $3, $4)`, [choiceId, p.ballotId, this.governance.sealer.seal({ choice: p.choice, weight: p.weight }), rh]);
    // The record of a secret vote says who voted for which seat, never what or with which receipt.
    audit.push({
      kind: inserted.length ? 'vote.cast' : 'vote.replaced',
      payload: secret
        ? { ballotId: p.ballotId, seatId: p.seatId, voterId: p.voterId, asProxy: p.asProxy }
        : { ballotId: p.ballotId, seatId: p.seatId, voterId: p.voterId, asProxy: p.asProxy, choice: p.choice, receiptHash: rh },
    });
    return { ballotId: p.ballotId, seatId: p.seatId, receipt };
  }
}

/** 20 characters from a 32-letter alphabet without look-alikes: 100 bits, easy to read out. */
function newReceipt(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  const chars = [...bytes].map((b) => alphabet[b % 32]).join('');
  return chars.match(/.{5}/g)!.join('-');
}
