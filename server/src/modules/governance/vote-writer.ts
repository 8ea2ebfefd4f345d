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

/** A vote of the batch not answered from a retry: its receipt and, for a secret ballot, its sealed choice id. */
interface Fresh {
  p: Pending;
  receipt: string;
  rh: string;
  choiceId: string | null;
  secret: boolean;
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
      const results = new Map<Pending, CastReceipt | AppError>();
      const audit: { kind: string; payload: unknown }[] = [];

      // A retry of a vote that was committed (its ack lost) gets the same receipt back.
      const retried: { ballot_id: string; seat_id: string; sealed_receipt: Buffer }[] = await m.query(
        `SELECT c.ballot_id, c.seat_id, c.sealed_receipt FROM ballot_casts c
           JOIN unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[]) AS r(b, s, v, k)
             ON c.ballot_id = r.b AND c.seat_id = r.s AND c.voter_id = r.v AND c.request_key = r.k`,
        [batch.map((p) => p.ballotId), batch.map((p) => p.seatId), batch.map((p) => p.voterId), batch.map((p) => p.requestKey)],
      );
      const stored = new Map(retried.map((r) => [`${r.ballot_id}/${r.seat_id}`, r.sealed_receipt]));
      const fresh: Fresh[] = [];
      for (const p of batch) {
        const again = stored.get(`${p.ballotId}/${p.seatId}`);
        if (again) results.set(p, { ballotId: p.ballotId, seatId: p.seatId, receipt: this.governance.sealer.open<string>(again) });
        else if (byId.get(p.ballotId)!.status !== 'open') results.set(p, new AppError('BALLOT_CLOSED', 'Voting on this ballot has closed.'));
        else {
          const receipt = newReceipt();
          const secret = byId.get(p.ballotId)!.secrecy === 'secret';
          fresh.push({ p, receipt, rh: receiptHash(p.ballotId, receipt), choiceId: secret ? randomUUID() : null, secret });
        }
      }

      // Every new vote in one statement; the primary key keeps one counted ballot per seat.
      const inserted: { ballot_id: string; seat_id: string }[] = fresh.length
        ? await m.query(
            `INSERT INTO ballot_casts (ballot_id, seat_id, voter_id, as_proxy, request_key, sealed_receipt, choice, receipt_hash, sealed_ref)
             SELECT b, s, v, a, k, r, c::jsonb, h, f FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::bool[], $5::text[], $6::bytea[], $7::text[], $8::text[], $9::bytea[])
                    AS t(b, s, v, a, k, r, c, h, f)
             ON CONFLICT (ballot_id, seat_id) DO NOTHING RETURNING ballot_id, seat_id`,
            [
              fresh.map((f) => f.p.ballotId),
              fresh.map((f) => f.p.seatId),
              fresh.map((f) => f.p.voterId),
              fresh.map((f) => f.p.asProxy),
              fresh.map((f) => f.p.requestKey),
              fresh.map((f) => this.governance.sealer.seal(f.receipt)),
              fresh.map((f) => (f.secret ? null : JSON.stringify(f.p.choice))),
              fresh.map((f) => (f.secret ? null : f.rh)),
              fresh.map((f) => (f.choiceId ? this.governance.sealer.seal(f.choiceId) : null)),
            ],
          )
        : [];
      const won = new Set(inserted.map((r) => `${r.ballot_id}/${r.seat_id}`));
      const sealedChoices: { id: string; ballotId: string; sealed: Buffer; rh: string }[] = [];
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
        if (f.choiceId) sealedChoices.push({ id: f.choiceId, ballotId: p.ballotId, sealed: this.governance.sealer.seal({ choice: p.choice, weight: p.weight }), rh: f.rh });
        // The record of a secret vote says who voted for which seat, never what or with which receipt.
        audit.push({
          kind: isNew ? 'vote.cast' : 'vote.replaced',
          payload: f.secret
            ? { ballotId: p.ballotId, seatId: p.seatId, voterId: p.voterId, asProxy: p.asProxy }
            : { ballotId: p.ballotId, seatId: p.seatId, voterId: p.voterId, asProxy: p.asProxy, choice: p.choice, receiptHash: f.rh },
        });
        results.set(p, { ballotId: p.ballotId, seatId: p.seatId, receipt: f.receipt });
      }
      if (sealedChoices.length) {
        await m.query(`INSERT INTO secret_choices (id, ballot_id, sealed, receipt_hash) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bytea[], $4::text[])`, [
          sealedChoices.map((c) => c.id),
          sealedChoices.map((c) => c.ballotId),
          sealedChoices.map((c) => c.sealed),
          sealedChoices.map((c) => c.rh),
        ]);
      }
      if (audit.length) await this.governance.audit(m, batch[0]!.meetingId, audit, true);
      return results;
    });
    for (const p of batch) {
      const r = outcomes.get(p)!;
      if (r instanceof AppError) p.reject(r);
      else p.resolve(r);
    }
    for (const ballotId of new Set(batch.map((p) => p.ballotId))) this.governance.events.emit('turnout', { meetingId: batch[0]!.meetingId, ballotId });
  }

  /** "Last one counts": the seat's earlier ballot (and, for a secret ballot, its sealed choice) is replaced. */
  private async replace(m: EntityManager, { p, receipt, rh, choiceId, secret }: Fresh): Promise<void> {
    const [old] = await m.query(`SELECT sealed_ref FROM ballot_casts WHERE ballot_id = $1 AND seat_id = $2 FOR UPDATE`, [p.ballotId, p.seatId]);
    if (old?.sealed_ref) await m.query(`DELETE FROM secret_choices WHERE id = $1`, [this.governance.sealer.open<string>(old.sealed_ref)]);
    await m.query(
      `UPDATE ballot_casts SET voter_id = $3, as_proxy = $4, request_key = $5, sealed_receipt = $6, choice = $7, receipt_hash = $8, sealed_ref = $9, cast_at = now()
        WHERE ballot_id = $1 AND seat_id = $2`,
      [
        p.ballotId,
        p.seatId,
        p.voterId,
        p.asProxy,
        p.requestKey,
        this.governance.sealer.seal(receipt),
        secret ? null : JSON.stringify(p.choice),
        secret ? null : rh,
        choiceId ? this.governance.sealer.seal(choiceId) : null,
      ],
    );
  }
}

/** 20 characters from a 32-letter alphabet without look-alikes: 100 bits, easy to read out. */
function newReceipt(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  const chars = [...bytes].map((b) => alphabet[b % 32]).join('');
  return chars.match(/.{5}/g)!.join('-');
}
