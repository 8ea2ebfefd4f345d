import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { LOGGER } from '../../../common/logging';

export interface NewVisit {
  id: string;
  sessionId: string;
  roomId: string;
  userId: string;
  displayName: string;
  joinedAt: Date;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Attendance writes of every room, in batches: a join queues its row and waits for the batch that
 * carries it (a group commit), so that a thousand people entering one room at once cost a few
 * statements and no join waits on another's write. One batch at a time, in order, so a leave is
 * never written before its join.
 */
@Injectable()
export class AttendanceWriter {
  private opens: NewVisit[] = [];
  private closes = new Map<string, Date>();
  private gaps: { id: string; from: Date; to: Date }[] = [];
  private waiters: Waiter[] = [];
  private running: Promise<void> | null = null;
  private scheduled = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** A new visit; resolves once it is stored. */
  open(visit: NewVisit): Promise<void> {
    this.opens.push(visit);
    return this.wait();
  }

  /** A visit that continues after a restart: the time away is kept as a gap. */
  resume(id: string, from: Date, to: Date): Promise<void> {
    this.gaps.push({ id, from, to });
    return this.wait();
  }

  /** The end of a visit; failures are logged (nobody waits on a leave). */
  close(id: string, at: Date): void {
    this.closes.set(id, at);
    this.wait().catch((err: unknown) => this.logger.error({ err }, 'could not record a leave'));
  }

  /** Resolves when everything queued so far is written (or has failed). */
  async flush(): Promise<void> {
    while (this.running || this.pending()) {
      if (!this.running) this.start();
      await this.running?.catch(() => undefined);
    }
  }

  private pending(): boolean {
    return this.opens.length > 0 || this.closes.size > 0 || this.gaps.length > 0;
  }

  private wait(): Promise<void> {
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.scheduled && !this.running) {
      this.scheduled = true;
      // The rest of this tick's joins ride along.
      setImmediate(() => {
        this.scheduled = false;
        if (!this.running) this.start();
      });
    }
    return p;
  }

  private start(): void {
    const opens = this.opens;
    const closes = this.closes;
    const gaps = this.gaps;
    const waiters = this.waiters;
    this.opens = [];
    this.closes = new Map();
    this.gaps = [];
    this.waiters = [];
    this.running = this.write(opens, closes, gaps).then(
      () => waiters.forEach((w) => w.resolve()),
      (err: unknown) => {
        waiters.forEach((w) => w.reject(err));
        throw err;
      },
    );
    void this.running
      .catch(() => undefined)
      .finally(() => {
        this.running = null;
        if (this.pending()) this.start();
      });
  }

  private async write(opens: NewVisit[], closes: Map<string, Date>, gaps: { id: string; from: Date; to: Date }[]): Promise<void> {
    if (!opens.length && !closes.size && !gaps.length) return;
    await this.db.transaction(async (m) => {
      if (opens.length) {
        await m.query(
          `INSERT INTO attendance (id, session_id, room_id, user_id, display_name, joined_at, left_at)
           SELECT * , NULL::timestamptz FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::timestamptz[])`,
          [
            opens.map((o) => o.id),
            opens.map((o) => o.sessionId),
            opens.map((o) => o.roomId),
            opens.map((o) => o.userId),
            opens.map((o) => o.displayName),
            opens.map((o) => o.joinedAt),
          ],
        );
      }
      if (gaps.length) {
        await m.query(
          `UPDATE attendance a SET gaps = a.gaps || jsonb_build_array(jsonb_build_object('from', g.f, 'to', g.t)), left_at = NULL
             FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS g(id, f, t) WHERE a.id = g.id`,
          [gaps.map((g) => g.id), gaps.map((g) => g.from), gaps.map((g) => g.to)],
        );
      }
      if (closes.size) {
        await m.query(
          `UPDATE attendance a SET left_at = greatest(c.at, a.joined_at)
             FROM unnest($1::uuid[], $2::timestamptz[]) AS c(id, at) WHERE a.id = c.id AND a.left_at IS NULL`,
          [[...closes.keys()], [...closes.values()]],
        );
      }
    });
  }
}
