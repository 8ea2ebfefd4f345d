import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { Ack, BallotChoice, BallotView, CastReceipt, KeyPair, OrganizationDto, SessionDto } from '../../server/src/contract';
import { type AuditEntry, receiptHash, verifyChain } from '../../server/src/modules/governance/audit-chain';
import { ballotKeyOf } from '../helpers/ballot-device';
import { openEnvelope } from '../helpers/ballot-keys';
import { api, command, register, type TestSocket } from '../helpers/api';
import { addMembers, ballotOn, checkIn, requestId, sockets } from '../helpers/governance';
import { ROOT } from '../helpers/server-process';
import type { FaultServer } from './fault-server';
import { sleep } from './processes';

/**
 * Scenario a: kill -9 in the middle of a burst of votes. Every client keeps a ledger of what it was
 * told (the receipt in the ack); after the restart the ledger is held against the database, then each
 * client that was not answered retries with the same clientRequestId.
 */

const CHOICES: readonly BallotChoice[] = ['yes', 'no', 'abstain'];

export type Secrecy = 'roll-call' | 'secret';

/** An organisation whose members vote, a meeting they are checked in to, and their sockets. */
export class Electorate {
  socks: TestSocket[] = [];
  meetingId = '';
  ballots: string[] = [];

  private constructor(
    readonly chair: SessionDto,
    readonly org: OrganizationDto,
    readonly voters: SessionDto[],
  ) {}

  static async create(url: string, size: number): Promise<Electorate> {
    const http = api(url);
    const chair = await register(url, 'Chair');
    const org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Crash Test Library Association' }, chair.accessToken)).body;
    const e = new Electorate(chair, org, await addMembers(url, chair.accessToken, org.id, size));
    await e.newMeeting(url);
    return e;
  }

  /** A fresh meeting (keeps each audit chain short in long runs); every voter checks in. */
  async newMeeting(url: string): Promise<void> {
    const m = await api(url).post(`/api/organizations/${this.org.id}/meetings`, { title: 'Assembly under fire', scheduledAt: new Date().toISOString(), voterBasis: 'members' }, this.chair.accessToken);
    if (m.status !== 201) throw new Error(`meeting: ${JSON.stringify(m.body)}`);
    this.meetingId = m.body.id;
    this.ballots = [];
    await checkIn(url, this.voters, this.meetingId);
  }

  /** A motion taken through submit, second and debate, put to an open ballot. */
  async openBallot(url: string, secrecy: Secrecy): Promise<string> {
    const http = api(url);
    const t = this.chair.accessToken;
    const base = `/api/meetings/${this.meetingId}/motions`;
    const motion = (await http.post(base, { title: `Motion ${this.ballots.length + 1}`, text: 'The assembly resolves to keep counting.' }, t)).body;
    await http.post(`${base}/${motion.id}/transition`, { event: 'submit' }, t);
    await http.post(`${base}/${motion.id}/transition`, { event: 'second' }, this.voters[0]!.accessToken);
    await http.post(`${base}/${motion.id}/transition`, { event: 'debate' }, t);
    const ballot = await ballotOn(url, t, this.meetingId, { motionId: motion.id, secrecy });
    const opened = await http.post<BallotView>(`/api/ballots/${ballot.id}/open`, {}, t);
    if (opened.body.status !== 'open') throw new Error(`open: ${JSON.stringify(opened.body)}`);
    this.ballots.push(ballot.id);
    return ballot.id;
  }

  async connect(url: string): Promise<void> {
    this.disconnect();
    this.socks = await sockets(url, this.voters);
  }

  disconnect(): void {
    this.socks.forEach((s) => s.close());
    this.socks = [];
  }
}

/**
 * When to pull the plug: after the n-th acknowledgement, n ms after the burst starts, or as soon as the
 * database holds more votes than the clients have acknowledgements for (committed, ack not yet out:
 * the case a retry must answer with the stored receipt).
 */
export type KillPoint = { afterAcks: number } | { afterMs: number } | { storedAheadOfAcks: true };

interface Vote {
  seatId: string;
  key: string;
  choice: BallotChoice;
  sent: boolean;
  /** From the ack before the crash. */
  receipt?: string;
  /** An error ack before the crash (there should be none). */
  refused?: string;
  /** From the retry after the restart. */
  retryReceipt?: string;
}

interface StoredCast {
  requestKey: string;
  receiptHash: string | null;
  choice: BallotChoice | null;
}

/** What the database holds for one ballot. */
interface Stored {
  casts: Map<string, StoredCast[]>;
  rows: number;
  /** receipt hash -> choice, from the envelopes opened with the ballot's key (secret ballots). */
  secret: Map<string, BallotChoice>;
  secretRows: number;
  /** vote.cast / vote.replaced audit entries per seat. */
  auditVotes: Map<string, number>;
}

export interface VoteCrashRun {
  ballotId: string;
  secrecy: Secrecy;
  killPoint: KillPoint;
  voters: number;
  sent: number;
  /** Acknowledged before the kill. */
  acknowledged: number;
  /** Stored although the ack never arrived (committed just before the kill). */
  committedUnacked: number;
  /** Answered with the stored receipt on retry. */
  retriedStored: number;
  /** Written for the first time on retry. */
  retriedFresh: number;
  /** Acknowledged votes missing from the database (or stored with another receipt or choice). */
  lost: number;
  /** Votes counted more than once (rows, sealed choices or audit entries beyond one per seat). */
  duplicated: number;
  killToReadyMs: number;
  /** From the kill until every voter holds an acknowledged vote again. */
  killToAllCountedMs: number;
  orphanWorkers: number;
  problems: string[];
}

/**
 * One burst: open a ballot, every voter casts at a random moment within `spreadMs`, kill -9 at
 * `killPoint`, restart on the same database, check the ledger against the rows, retry what was not
 * acknowledged, check again, verify the audit chain, then close and publish and check the count.
 */
export async function voteCrash(server: FaultServer, e: Electorate, db: Client, opts: { secrecy: Secrecy; killPoint: KillPoint; spreadMs: number }): Promise<VoteCrashRun> {
  const problems: string[] = [];
  if (e.socks.length !== e.voters.length || e.socks.some((s) => !s.connected)) await e.connect(server.url);
  const ballotId = await e.openBallot(server.url, opts.secrecy);
  const votes: Vote[] = e.voters.map((v, i) => ({ seatId: v.user.id, key: requestId(), choice: CHOICES[(i + e.ballots.length) % 3]!, sent: false }));

  let killed = false;
  let acks = 0;
  let pull!: () => void;
  const plug = new Promise<void>((r) => (pull = r));
  const burst = votes.map(async (v, i) => {
    await sleep(Math.random() * opts.spreadMs);
    const s = e.socks[i]!;
    if (killed || !s.connected) return;
    v.sent = true;
    try {
      const r = await command(s, 'ballot:cast', { clientRequestId: v.key, ballotId, seatId: v.seatId, choice: v.choice }, 10_000);
      if (r.ok) {
        v.receipt = r.data.receipt ?? undefined;
        if ('afterAcks' in opts.killPoint && ++acks === opts.killPoint.afterAcks) pull();
      } else v.refused = r.error.code;
    } catch {
      /* no answer: the server died with the vote in flight */
    }
  });
  const fallback = setTimeout(pull, 'afterMs' in opts.killPoint ? opts.killPoint.afterMs : opts.spreadMs + 5_000);
  if ('storedAheadOfAcks' in opts.killPoint) {
    // Freeze the process at random moments and look: acks already written reach the clients, a COMMIT
    // already sent completes. More rows than acks means votes committed whose ack never left: kill it
    // there. Otherwise let it run a little longer and look again.
    const signal = (sig: NodeJS.Signals) => !killed && server.alive() && process.kill(server.pid, sig);
    void (async () => {
      while (!killed) {
        await sleep(Math.random() * 4);
        if (!signal('SIGSTOP')) return;
        await sleep(5);
        const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM ballot_casts WHERE ballot_id = $1`, [ballotId])).rows;
        if (n > votes.filter((v) => v.receipt).length) return pull();
        signal('SIGCONT');
        if (n === votes.length) return; // all answered in time: the fallback kills
      }
    })().catch(pull);
  }
  await plug;
  clearTimeout(fallback);
  killed = true;

  let before!: Stored;
  const { killToReadyMs, orphans } = await server.crashAndRestart(async () => {
    await Promise.all(burst);
    before = await stored(db, ballotKeyOf(ballotId) ?? null, e.meetingId, ballotId);
  });
  const readyAt = Date.now();
  if (orphans.length) problems.push(`mediasoup workers outlived the killed server: ${orphans.join(', ')}`);

  // The ledger against the database, before anyone retries.
  const acked = votes.filter((v) => v.receipt);
  // A seat is lost when the database does not hold a receipt its voter was given (checked before the
  // retries for the acks of the burst, and after them for every ack).
  const lostSeats = new Set(acked.filter((v) => !holds(before, opts.secrecy, ballotId, v, v.receipt!)).map((v) => v.seatId));
  for (const v of votes.filter((v) => v.refused)) problems.push(`a vote was refused before the crash: ${v.refused}`);
  const known = new Map(votes.map((v) => [v.seatId, v]));
  let committedUnacked = 0;
  for (const [seat, rows] of before.casts) {
    const v = known.get(seat);
    if (!v || !v.sent || rows.some((r) => r.requestKey !== v.key)) problems.push(`a stored vote nobody sent (seat ${seat})`);
    else if (!v.receipt) committedUnacked++;
  }

  // Everyone not answered retries with the same request id; the answered ones too, which must change nothing.
  await e.connect(server.url);
  let retriedStored = 0;
  let retriedFresh = 0;
  await Promise.all(
    votes.map(async (v, i) => {
      const r = await castWithRetry(e.socks[i]!, ballotId, v);
      if (!r.ok) return problems.push(`retry after restart refused: ${r.error.code}`);
      v.retryReceipt = r.data.receipt ?? undefined;
      if (v.receipt) {
        if (r.data.receipt !== v.receipt) problems.push('an acknowledged vote got a different receipt on retry');
      } else if (before.casts.has(v.seatId)) {
        if (holds(before, opts.secrecy, ballotId, v, r.data.receipt!)) retriedStored++;
        else problems.push('a vote committed before the crash was answered with a receipt that is not the stored one');
      } else retriedFresh++;
    }),
  );
  const killToAllCountedMs = killToReadyMs + (Date.now() - readyAt);

  const after = await stored(db, ballotKeyOf(ballotId) ?? null, e.meetingId, ballotId);
  for (const v of votes) for (const r of [v.receipt, v.retryReceipt]) if (r && !holds(after, opts.secrecy, ballotId, v, r)) lostSeats.add(v.seatId);
  const duplicated = duplicates(after);
  if (after.rows !== votes.length) problems.push(`${after.rows} votes stored for ${votes.length} voters after the retries`);
  for (const [seat, n] of after.auditVotes) if (n !== 1) problems.push(`seat ${seat} has ${n} vote entries in the audit log`);
  if (after.auditVotes.size !== after.rows) problems.push(`${after.auditVotes.size} seats voted in the audit log, ${after.rows} in ballot_casts`);

  const broken = verifyChain(await auditChain(db, e.meetingId));
  if (broken) problems.push(`audit chain after the crash: ${broken}`);

  // The count from the stored rows: every voter exactly once, with the choice they made.
  const http = api(server.url);
  const closed = await http.post<BallotView>(`/api/ballots/${ballotId}/close`, {}, e.chair.accessToken);
  const published = await http.post<BallotView>(`/api/ballots/${ballotId}/publish`, {}, e.chair.accessToken);
  const expected = { yes: 0, no: 0, abstain: 0 };
  for (const v of votes) expected[v.choice as keyof typeof expected]++;
  const result = published.body.result as { yes: number; no: number; abstain: number; cast: number } | null;
  if (closed.body.status !== 'closed' || !result) problems.push(`close/publish failed: ${JSON.stringify(closed.body).slice(0, 200)} ${JSON.stringify(published.body).slice(0, 200)}`);
  else if (result.yes !== expected.yes || result.no !== expected.no || result.abstain !== expected.abstain || result.cast !== votes.length) {
    problems.push(`published result ${JSON.stringify(result)} differs from the ledger ${JSON.stringify(expected)}`);
  }

  return {
    ballotId,
    secrecy: opts.secrecy,
    killPoint: opts.killPoint,
    voters: votes.length,
    sent: votes.filter((v) => v.sent).length,
    acknowledged: acked.length,
    committedUnacked,
    retriedStored,
    retriedFresh,
    lost: lostSeats.size,
    duplicated,
    killToReadyMs,
    killToAllCountedMs,
    orphanWorkers: orphans.length,
    problems,
  };
}

/** A retry as a client does it: again (same request id) while the server says it is busy. */
async function castWithRetry(s: TestSocket, ballotId: string, v: Vote): Promise<Ack<CastReceipt>> {
  for (let attempt = 0; ; attempt++) {
    const r = await command(s, 'ballot:cast', { clientRequestId: v.key, ballotId, seatId: v.seatId, choice: v.choice }, 15_000);
    if (r.ok || !['UNAVAILABLE', 'RATE_LIMITED'].includes(r.error.code) || attempt === 5) return r;
    await sleep(200 * (attempt + 1));
  }
}

/** Whether the database holds this voter's vote, under this receipt and with this choice. */
function holds(s: Stored, secrecy: Secrecy, ballotId: string, v: Vote, receipt: string): boolean {
  const rows = s.casts.get(v.seatId) ?? [];
  if (rows.length !== 1 || rows[0]!.requestKey !== v.key) return false;
  const hash = receiptHash(ballotId, receipt);
  if (secrecy === 'secret') return s.secret.get(hash) === v.choice;
  return rows[0]!.receiptHash === hash && rows[0]!.choice === v.choice;
}

function duplicates(s: Stored): number {
  let extra = 0;
  for (const rows of s.casts.values()) extra += rows.length - 1;
  for (const n of s.auditVotes.values()) extra += Math.max(0, n - 1);
  if (s.secretRows > 0) extra += Math.max(0, s.secretRows - s.rows);
  return extra;
}

async function stored(db: Client, keys: KeyPair | null, meetingId: string, ballotId: string): Promise<Stored> {
  const casts = new Map<string, StoredCast[]>();
  const rows = (await db.query(`SELECT seat_id, request_key, receipt_hash, choice, envelope FROM ballot_casts WHERE ballot_id = $1`, [ballotId])).rows;
  for (const r of rows) casts.set(r.seat_id, [...(casts.get(r.seat_id) ?? []), { requestKey: r.request_key, receiptHash: r.receipt_hash, choice: r.choice }]);
  const sealed = rows.filter((r) => r.envelope);
  const secret = new Map<string, BallotChoice>(
    sealed.map((r) => {
      const v = openEnvelope(keys!, ballotId, r.envelope);
      return [receiptHash(ballotId, v.receipt), v.choice as BallotChoice];
    }),
  );
  const auditVotes = new Map<string, number>();
  const entries = await db.query(
    `SELECT payload->>'seatId' AS seat FROM audit_log WHERE meeting_id = $1 AND kind IN ('vote.cast', 'vote.replaced') AND payload->>'ballotId' = $2`,
    [meetingId, ballotId],
  );
  for (const r of entries.rows) auditVotes.set(r.seat, (auditVotes.get(r.seat) ?? 0) + 1);
  return { casts, rows: rows.length, secret, secretRows: sealed.length, auditVotes };
}

export async function auditChain(db: Client, meetingId: string): Promise<AuditEntry[]> {
  const { rows } = await db.query(`SELECT seq, at, kind, payload, prev_hash AS "prevHash", hash FROM audit_log WHERE meeting_id = $1 ORDER BY seq`, [meetingId]);
  return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
}

/**
 * The independent check a member of the association would run: export the meeting and feed it to
 * scripts/verify.mjs (chain, rolls, bulletin boards against the recorded votes, recount).
 */
export async function verifyExport(url: string, e: Electorate): Promise<{ ok: boolean; output: string }> {
  const exported = await api(url).get(`/api/meetings/${e.meetingId}/export`, e.chair.accessToken);
  if (exported.status !== 200) return { ok: false, output: `export: ${exported.status} ${JSON.stringify(exported.body).slice(0, 300)}` };
  const dir = mkdtempSync(path.join(tmpdir(), 'quorum-faults-export-'));
  try {
    const file = path.join(dir, 'export.json');
    writeFileSync(file, JSON.stringify(exported.body));
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/verify.mjs'), file], { encoding: 'utf8' });
    const published = (exported.body.ballots as unknown[]).length;
    return { ok: r.status === 0 && r.stdout.includes('PASS') && published === e.ballots.length, output: `${published} published ballots; ${r.stdout}${r.stderr}`.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
