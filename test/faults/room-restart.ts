import { Client } from 'pg';
import { io, type Socket } from 'socket.io-client';
import { REFUSALS, rejoinDelayMs, SOCKET_OPTIONS, superviseSocket } from '../../client/src/lib/reconnect';
import { byCreatedAt, pagesSinceKnown, withHistory, withItem } from '../../client/src/lib/merge-by-id';
import { sendChatReliably } from '../../client/src/features/room/engagement/api/chat-send';
import { type Ack, type ChatMessageInfo, type ErrorCode, ERROR_CODES, PROTOCOL_VERSION, type RoomJoined, SOCKET_PATH } from '../../server/src/contract';
import { freePort } from '../helpers/server-process';
import { register } from '../helpers/api';
import { createRoom, orgWithMembers } from '../helpers/room';
import { FaultServer } from './fault-server';
import { killHard, sleep, waitFor } from './processes';

/**
 * A public webinar of N people whose server is restarted: SIGTERM and an immediate restart, kill -9
 * and a restart 2 s later, and a SIGTERM whose drain is held up by a slow database. Every client
 * behaves like the browser: the browser's socket.io options (client/src/lib/reconnect.ts), its
 * handshake supervision, its rejoin loop (media.ts: a new connection → room:join until it is
 * answered, backing off on temporary failures, stopping on a refusal), its chat list (live events and
 * history merged by client/src/lib/merge-by-id.ts) and its chat sending (client/src/features/room/engagement/api/chat-send.ts).
 * Media is left out: these clients only signal.
 */

export type RestartKind = 'sigterm' | 'crash' | 'slow-drain';

export interface RestartRun {
  kind: RestartKind;
  clients: number;
  /** Per client: old process exit → its room:join answered again (NaN: not back). */
  backMs: number[];
  stranded: number;
  /** Exit → new process ready. */
  restartMs: number;
  /** SIGTERM (or kill) → old process exit. */
  stopMs: number;
  exitCode: number | null;
  acknowledged: number;
  /** Acknowledged messages missing from some client's chat list (summed over clients). */
  missing: number;
  /** Messages shown twice on some screen (summed over clients). */
  duplicatedOnScreen: number;
  panelistsKept: number;
  panelists: number;
  /** People with more than one attendance record in the room, sessions of the room, records with a gap marked. */
  splitAttendance: number;
  sessions: number;
  gapsMarked: number;
  problems: string[];
}

const codeOf = (err: Error & { data?: { code?: unknown } }): ErrorCode => {
  const c = err.data?.code ?? err.message;
  return ERROR_CODES.includes(c as ErrorCode) ? (c as ErrorCode) : 'UNAVAILABLE';
};

type Status = 'idle' | 'joined' | 'reconnecting' | 'failed';

/** One attendee's tab: a socket, the room session's rejoin loop and the chat list on screen. */
class FleetClient {
  readonly socket: Socket;
  status: Status = 'idle';
  joined?: RoomJoined;
  chat: ChatMessageInfo[] = [];
  backAt = NaN;
  /** When the socket last connected (a handshake accepted), to tell connecting from rejoining. */
  connectedAt = NaN;
  lastError?: string;
  private gen = 0;
  private signallingLost = false;

  constructor(
    readonly index: number,
    url: string,
    readonly token: string,
    private readonly roomId: string,
  ) {
    this.socket = io(url, {
      path: SOCKET_PATH,
      ...SOCKET_OPTIONS,
      transports: [...SOCKET_OPTIONS.transports],
      // A browser tab has a connection of its own; in one process the manager would be shared.
      forceNew: true,
      auth: (cb) => cb({ token: this.token, protocol: PROTOCOL_VERSION }),
    });
    superviseSocket(this.socket as never, { codeOf, refreshToken: () => Promise.reject(new Error('no refresh in tests')) });
    this.socket.on('chat:message', (m: ChatMessageInfo) => (this.chat = withItem(this.chat, m)));
    this.socket.on('disconnect', () => {
      if (this.status !== 'joined' && this.status !== 'reconnecting') return;
      this.signallingLost = true;
      this.status = 'reconnecting';
    });
    this.socket.on('connect', () => {
      this.connectedAt = Date.now();
      if (!this.signallingLost) return;
      this.signallingLost = false;
      if (this.socket.recovered) {
        this.status = 'joined';
        this.backAt = Date.now();
        return;
      }
      void this.reconnect();
    });
  }

  command<T>(name: string, payload: unknown, timeoutMs = 10_000): Promise<T> {
    return (this.socket.timeout(timeoutMs).emitWithAck(name, payload) as Promise<Ack<T>>).then(
      (ack) => {
        if (!ack.ok) throw Object.assign(new Error(ack.error.message), { code: ack.error.code });
        return ack.data;
      },
      () => {
        throw Object.assign(new Error(`${name} timed out`), { code: 'UNAVAILABLE' });
      },
    );
  }

  connected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', (e) => (this.socket.active ? undefined : reject(e)));
    });
  }

  /** First entry (media.ts join()): a failure is final. */
  async join(): Promise<void> {
    this.status = 'reconnecting';
    await this.enter(++this.gen);
  }

  private async enter(gen: number): Promise<void> {
    const joined = await this.command<RoomJoined>('room:join', { roomId: this.roomId });
    if (gen !== this.gen) return;
    this.joined = joined;
    this.status = 'joined';
    this.backAt = Date.now();
    // The engagement feed loads on every entry into 'joined' (useEngagement).
    void this.loadHistory();
  }

  private async loadHistory(): Promise<void> {
    try {
      const page = await pagesSinceKnown(this.chat, (cursor) =>
        this.command<{ messages: ChatMessageInfo[]; hasMore: boolean }>('chat:history', { limit: 100, ...cursor }).then((p) => ({ items: p.messages, hasMore: p.hasMore })),
      );
      this.chat = withHistory(this.chat, page.items, byCreatedAt);
    } catch {
      /* the lists stay as they were */
    }
  }

  /** media.ts reconnect(), without the media. */
  private async reconnect(): Promise<void> {
    const gen = ++this.gen;
    this.status = 'reconnecting';
    if (!this.socket.connected) {
      this.signallingLost = true;
      return;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await this.enter(gen);
        return;
      } catch (e) {
        if (gen !== this.gen) return;
        const code = (e as { code?: ErrorCode }).code ?? 'INTERNAL';
        this.lastError = code;
        if (REFUSALS.has(code)) {
          this.status = 'failed';
          return;
        }
        await sleep(rejoinDelayMs(attempt));
        if (gen !== this.gen) return;
        if (!this.socket.connected) {
          this.signallingLost = true;
          return;
        }
      }
    }
  }

  close(): void {
    this.gen++;
    this.socket.close();
  }
}

export interface RestartFixtureOptions {
  clients: number;
  panelists?: number;
  log?: (line: string) => void;
}

export class RestartFixture {
  clients: FleetClient[] = [];
  /** room:join acks of the first, simultaneous entry of everyone but the host (ms). */
  joinMs: number[] = [];
  readonly acked = new Map<string, number>();
  private seq = 0;
  private chatTimer?: NodeJS.Timeout;
  private readonly sends = new Set<Promise<unknown>>();
  sendFailures: Record<string, number> = {};

  private constructor(
    readonly server: FaultServer,
    readonly roomId: string,
    readonly panelists: number,
    private readonly log: (line: string) => void,
  ) {}

  static async create(o: RestartFixtureOptions): Promise<RestartFixture> {
    const log = o.log ?? (() => undefined);
    // Restarts come back on the same address, as behind a load balancer or a systemd unit.
    const port = String(await freePort());
    const profile: Record<string, string> = process.env.RESTART_SERVER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.RESTART_SERVER_NODE_OPTIONS } : {};
    const server = await FaultServer.start({ env: { PORT: port, AUTH_RATE_LIMIT_PER_MINUTE: '100000', SHUTDOWN_GRACE_MS: '10000', ...profile } });
    try {
      const { owner, org } = await orgWithMembers(server.url, 0, 'Restart Assembly');
      const room = await createRoom(server.url, owner.accessToken, org.id, { name: 'Annual webinar', mode: 'webinar', access: 'public', capacity: 5000 });
      const tokens: string[] = [owner.accessToken];
      let next = 1;
      const worker = async () => {
        while (next < o.clients) {
          next++;
          tokens.push((await register(server.url, `Attendee ${tokens.length}`)).accessToken);
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      log(`registered ${tokens.length} people`);
      const f = new RestartFixture(server, room.id, o.panelists ?? 4, log);
      f.clients = tokens.map((t, i) => new FleetClient(i, server.url, t, room.id));
      for (let i = 0; i < f.clients.length; i += 50) await Promise.all(f.clients.slice(i, i + 50).map((c) => c.connected()));
      log(`${f.clients.length} sockets connected`);
      await f.clients[0]!.join();
      // Everyone else at once: the join throughput of one room.
      const results = await Promise.allSettled(
        f.clients.slice(1).map(async (c) => {
          const t = performance.now();
          await c.join();
          f.joinMs.push(performance.now() - t);
        }),
      );
      const refused = results.filter((r) => r.status === 'rejected');
      if (refused.length) throw new Error(`${refused.length} first joins failed: ${String((refused[0] as PromiseRejectedResult).reason)}`);
      log(`${f.clients.length} joined; room:join p95 ${Math.round(percentile(f.joinMs, 95))} ms`);
      const host = f.clients[0]!;
      for (const p of f.clients.slice(1, 1 + f.panelists)) {
        await host.command('stage:promote', { peerId: p.joined!.peerId });
        await p.command('stage:respond', { accept: true });
      }
      return f;
    } catch (err) {
      await server.stop();
      throw err;
    }
  }

  /** Chat at `perSecond`, from the people in the room in turn, as the browser sends it. */
  startChat(perSecond = 5): void {
    this.chatTimer = setInterval(() => this.sendOne(), 1000 / perSecond);
  }

  private sendOne(): void {
    const joined = this.clients.filter((c) => c.status === 'joined');
    if (!joined.length) return;
    const c = joined[this.seq % joined.length]!;
    const n = this.seq++;
    const p = sendChatReliably((payload) => c.command<ChatMessageInfo>('chat:send', payload), `restart test #${n}`, `restart-${process.pid}-${n}`).then(
      (m) => {
        this.acked.set(m.id, n);
        c.chat = withItem(c.chat, m);
      },
      (e: { code?: string }) => (this.sendFailures[e.code ?? 'ERROR'] = (this.sendFailures[e.code ?? 'ERROR'] ?? 0) + 1),
    );
    this.sends.add(p);
    void p.finally(() => this.sends.delete(p));
  }

  async stopChat(): Promise<void> {
    clearInterval(this.chatTimer);
    await Promise.all([...this.sends]);
  }

  async run(kind: RestartKind): Promise<RestartRun> {
    const problems: string[] = [];
    const db = new Client({ connectionString: this.server.databaseUrl });
    await db.connect();
    try {
      for (const c of this.clients) c.backAt = NaN;
      this.startChat();
      await sleep(3_000);
      const proc = this.server.process;
      const exited = new Promise<number | null>((r) => (proc.exitCode !== null || proc.signalCode !== null ? r(proc.exitCode) : proc.once('exit', (code) => r(code))));
      let locker: Client | undefined;
      const stoppedAt = Date.now();
      if (kind === 'crash') {
        await killHard(proc);
      } else {
        if (kind === 'slow-drain') {
          // A slow database: chat sends wait on a lock, and the drain with them.
          locker = new Client({ connectionString: this.server.databaseUrl });
          await locker.connect();
          await locker.query('BEGIN');
          await locker.query('LOCK TABLE chat_messages IN ACCESS EXCLUSIVE MODE');
          const held = locker;
          setTimeout(() => void held.query('COMMIT').finally(() => held.end()), 6_000);
          // At least one message is on its way into the locked table when the drain begins.
          this.sendOne();
          await sleep(300);
        }
        proc.kill('SIGTERM');
      }
      const exitCode = await exited;
      const exitAt = Date.now();
      if (kind !== 'crash' && exitCode !== 0) problems.push(`the old process exited with code ${exitCode}`);
      if (/Connection terminated|pool.*(ended|closed)|Cannot use a pool after/i.test(this.server.logs())) problems.push('a query ran after the database pool was closed');
      if (kind === 'crash') await sleep(2_000);
      await this.server.restart();
      const restartMs = Date.now() - exitAt;
      this.log(`${kind}: stopped in ${exitAt - stoppedAt} ms (code ${exitCode}), new process ready ${restartMs} ms after the exit`);
      await waitFor('every client back in the room', () => this.clients.every((c) => c.status === 'joined' && Number.isFinite(c.backAt)), 90_000, 100).catch(() => undefined);
      const backMs = this.clients.map((c) => (c.status === 'joined' ? c.backAt - exitAt : NaN));
      const stranded = backMs.filter((b) => !Number.isFinite(b)).length;
      const p95 = percentile(backMs.filter(Number.isFinite), 95);
      const connectP95 = percentile(this.clients.map((c) => c.connectedAt - exitAt), 95);
      this.log(`${kind}: ${this.clients.length - stranded}/${this.clients.length} back, p95 ${Math.round(p95)} ms (connected again: p95 ${Math.round(connectP95)} ms)${stranded ? `; stranded: ${JSON.stringify(this.clients.find((c) => c.status !== 'joined')?.lastError)}` : ''}`);
      await sleep(2_000);
      await this.stopChat();
      await sleep(1_500);

      let missing = 0;
      let duplicatedOnScreen = 0;
      for (const c of this.clients) {
        if (c.status !== 'joined') continue;
        const ids = new Set(c.chat.map((m) => m.id));
        duplicatedOnScreen += c.chat.length - ids.size;
        for (const id of this.acked.keys()) if (!ids.has(id)) missing++;
      }
      const panelists = this.clients.slice(1, 1 + this.panelists);
      const panelistsKept = panelists.filter((p) => p.joined?.role === 'panelist').length;
      const people = await db.query<{ user_id: string; records: number; gaps: number }>(
        `SELECT user_id, count(*)::int AS records, count(*) FILTER (WHERE jsonb_array_length(coalesce(to_jsonb(a) -> 'gaps', '[]'::jsonb)) > 0)::int AS gaps
           FROM attendance a WHERE room_id = $1 GROUP BY user_id`,
        [this.roomId],
      );
      const sessions = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM room_sessions WHERE room_id = $1', [this.roomId])).rows[0]!.n;
      const splitAttendance = people.rows.filter((r) => r.records > 1).length;
      const gapsMarked = people.rows.reduce((n, r) => n + r.gaps, 0);
      if (missing) problems.push(`${missing} acknowledged messages missing from chat lists`);
      if (duplicatedOnScreen) problems.push(`${duplicatedOnScreen} messages shown twice`);
      if (panelistsKept < panelists.length) problems.push(`panelists came back as attendees: ${panelists.length - panelistsKept}/${panelists.length}`);
      if (sessions !== 1) problems.push(`the restart split the room into ${sessions} sessions`);
      if (splitAttendance) problems.push(`${splitAttendance} people have more than one attendance record`);
      if (gapsMarked < people.rows.length) problems.push(`${people.rows.length - gapsMarked} attendance records without the gap marked`);
      if (stranded) problems.push(`${stranded} clients not back within 90 s`);
      const failedSends = Object.entries(this.sendFailures);
      if (failedSends.length) problems.push(`chat sends given up (the sender saw an error): ${JSON.stringify(this.sendFailures)}`);
      return {
        kind,
        clients: this.clients.length,
        backMs,
        stranded,
        restartMs,
        stopMs: exitAt - stoppedAt,
        exitCode,
        acknowledged: this.acked.size,
        missing,
        duplicatedOnScreen,
        panelistsKept,
        panelists: panelists.length,
        splitAttendance,
        sessions,
        gapsMarked,
        problems,
      };
    } finally {
      await this.stopChat();
      await db.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.stopChat();
    for (const c of this.clients) c.close();
    await this.server.stop();
  }
}

export function percentile(values: number[], p: number): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))]!;
}

/** One row of the issue's table: back / ≤ bound / p50 / p95. */
export function restartRow(run: RestartRun, boundMs: number) {
  const ok = run.backMs.filter(Number.isFinite);
  return {
    back: `${ok.length}/${run.clients}`,
    within: `${((100 * run.backMs.filter((b) => b <= boundMs).length) / run.clients).toFixed(1)} %`,
    p50: percentile(ok, 50),
    p95: percentile(ok, 95),
  };
}
