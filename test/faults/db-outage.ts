import { Client } from 'pg';
import type { Ack, BallotView, CastReceipt, ChatMessageInfo, RoomDto } from '../../server/src/contract';
import { verifyChain } from '../../server/src/modules/governance/audit-chain';
import { api, command, connectSocket, type TestSocket } from '../helpers/api';
import { requestId } from '../helpers/governance';
import { createRoom, enter, type Member } from '../helpers/room';
import { FaultServer } from './fault-server';
import { PrivatePostgres } from './private-postgres';
import { sleep, waitFor } from './processes';
import { auditChain, Electorate } from './vote-crash';

/**
 * Scenario b: the database goes away under a running server (PostgreSQL stopped in immediate mode,
 * as if its host crashed) and comes back. The server must stay up, answer UNAVAILABLE (503 over REST)
 * meanwhile, report it on /health, and recover by itself; a vote retried afterwards counts once.
 */
export class OutageFixture {
  private constructor(
    readonly pg: PrivatePostgres,
    readonly server: FaultServer,
    readonly e: Electorate,
    readonly room: RoomDto,
    public host: Member,
  ) {}

  runs = 0;

  static async create(): Promise<OutageFixture> {
    const pg = await PrivatePostgres.create();
    let server: FaultServer | undefined;
    try {
      const databaseUrl = await pg.createDatabase('quorum_faults');
      server = await FaultServer.start({ databaseUrl });
      const e = await Electorate.create(server.url, 4);
      await e.connect(server.url);
      const room = await createRoom(server.url, e.chair.accessToken, e.org.id, { name: 'Assembly hall' });
      const host = await enter(server.url, e.chair.accessToken, room.id);
      return new OutageFixture(pg, server, e, room, host);
    } catch (err) {
      await server?.stop().catch(() => undefined);
      await pg.destroy();
      throw err;
    }
  }

  /** After the server died: a new process on the same database, clients connected again. */
  async restart(): Promise<void> {
    await this.server.restart();
    await this.e.connect(this.server.url);
    this.host.socket.close();
    this.host = await enter(this.server.url, this.e.chair.accessToken, this.room.id);
  }

  async destroy(): Promise<void> {
    this.host.socket.close();
    this.e.disconnect();
    try {
      await this.server.stop();
    } finally {
      await this.pg.destroy();
    }
  }

  /** On a short-lived connection: a long-lived one would die with every outage. */
  async withDb<T>(f: (c: Client) => Promise<T>): Promise<T> {
    const c = new Client({ connectionString: this.server.databaseUrl });
    await c.connect();
    try {
      return await f(c);
    } finally {
      await c.end();
    }
  }

  async query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.withDb(async (c) => (await c.query(sql, params)).rows as T[]);
  }
}

export interface OutageRun {
  downForMs: number;
  /** Immediate stop issued → /health no longer 200. */
  detectionMs: number;
  /** PostgreSQL accepting connections again → first /health 200. */
  recoveryMs: number;
  /** PostgreSQL accepting connections again → the first retried vote acknowledged. */
  firstVoteMs: number;
  /** What each probe got while the database was down. */
  during: Record<string, string>;
  serverStayedUp: boolean;
  acknowledged: number;
  lost: number;
  duplicated: number;
  problems: string[];
}

const code = (r: Ack<unknown>) => (r.ok ? 'ok' : r.error.code);

/** Sends a command; no answer within the timeout becomes the code NO_ACK (instead of a throw). */
async function send<T>(s: TestSocket, event: string, payload: unknown, timeoutMs = 10_000): Promise<Ack<T>> {
  try {
    // Votes go through `command`, which seals a secret ballot's choice as the voter's device does.
    if (event === 'ballot:cast') return (await command(s, 'ballot:cast', payload as never, timeoutMs)) as Ack<T>;
    return (await s.timeout(timeoutMs).emitWithAck(event, payload)) as Ack<T>;
  } catch (err) {
    return { ok: false, error: { code: 'NO_ACK' as never, message: (err as Error).message } };
  }
}

/** Commands answered UNAVAILABLE while the database recovers are retried, as the client does. */
async function retried<T>(attempt: () => Promise<Ack<T>>, timeoutMs = 30_000): Promise<Ack<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await attempt();
    if (r.ok || !['UNAVAILABLE', 'NO_ACK'].includes(r.error.code) || Date.now() > deadline) return r;
    await sleep(100);
  }
}

export async function databaseOutage(f: OutageFixture, opts: { downForMs: number }): Promise<OutageRun> {
  const problems: string[] = [];
  const { server, pg, e } = f;
  const url = server.url;
  const http = api(url);
  const pid = server.pid;
  f.runs++;
  // A server that dies answers nothing: every probe races its exit instead of waiting for a timeout.
  const gone = new Promise<void>((r) => server.process.once('exit', () => r()));
  const ask = <T>(s: TestSocket, event: string, payload: unknown) =>
    Promise.race([send<T>(s, event, payload), gone.then((): Ack<T> => ({ ok: false, error: { code: 'SERVER_GONE' as never, message: 'the server process exited' } }))]);
  const before = await server.health();
  if (before.status !== 200) problems.push(`health before the outage: ${before.status} ${JSON.stringify(before.body)}`);

  // Activity before: a ballot, someone in the room besides the host, chat, a vote.
  const ballotId = await e.openBallot(url, f.runs % 2 ? 'secret' : 'roll-call');
  const [v0, v1, v2] = e.voters.map((v, i) => ({ seatId: v.user.id, socket: e.socks[i]!, key: requestId() }));
  const cast = (v: typeof v0) => ask<CastReceipt>(v!.socket, 'ballot:cast', { clientRequestId: v!.key, ballotId, seatId: v!.seatId, choice: 'yes' });
  const leaver = await enter(url, e.voters[3]!.accessToken, f.room.id);
  const chatBefore = await ask<ChatMessageInfo>(f.host.socket, 'chat:send', { clientRequestId: requestId(), body: 'before the outage' });
  if (!chatBefore.ok) problems.push(`chat before the outage: ${code(chatBefore)}`);
  // The last vote before the outage (its live turnout update is due a moment later, with the database gone)...
  const first = await cast(v0);
  if (!first.ok) problems.push(`vote before the outage: ${code(first)}`);
  // ...and one in flight as the database goes down: acknowledged or UNAVAILABLE, never lost once acknowledged.
  const inFlight = cast(v1);
  const stopAt = Date.now();
  // Detected: /health stops answering 200 (whether it says so properly is checked below).
  const detected = waitFor('/health to report the database down', async () => (!server.alive() ? NaN : (await server.health()).status !== 200 ? Date.now() - stopAt : undefined), 20_000, 50);
  await pg.crash();
  const detectionMs = await detected.catch((err: Error) => (problems.push(err.message), NaN));

  // While it is down: everything that needs the database says so at once, and nothing else breaks.
  const during: Record<string, string> = {};
  const probe = async (name: string, run: () => Promise<string>) => {
    const t = Date.now();
    during[name] = server.alive() ? await run() : 'SERVER_GONE';
    if (Date.now() - t > 3_000) problems.push(`${name} took ${Date.now() - t} ms to answer during the outage`);
  };
  await probe('GET /health', async () => {
    const h = await server.health();
    return `${h.status} database:${h.body?.error?.database?.status ?? JSON.stringify(h.body).slice(0, 120)}`;
  });
  await probe('ballot:cast', async () => code(await cast(v2)));
  const chatKey = requestId();
  const chat = () => ask<ChatMessageInfo>(f.host.socket, 'chat:send', { clientRequestId: chatKey, body: 'said during the outage' });
  await probe('chat:send', async () => code(await chat()));
  await probe('GET /api/me', async () => rest(await http.get('/api/me', e.chair.accessToken).catch(() => null)));
  await probe('POST /api/auth/sign-in', async () => rest(await http.post('/api/auth/sign-in', { email: e.voters[0]!.user.email, password: 'a long enough password' }).catch(() => null)));
  await probe('socket handshake', () =>
    connectSocket(url, { token: e.voters[1]!.accessToken }).then(
      (s) => (s.close(), 'connected'),
      (err: { data?: { code?: string } }) => err.data?.code ?? 'refused',
    ),
  );
  await probe('room:join', async () => code(await ask(e.socks[2]!, 'room:join', { roomId: f.room.id })));
  // Someone leaves the room: presence changes (and with it the quorum of any meeting held there).
  leaver.socket.close();
  await waitFor('the outage to last its time', () => Date.now() - stopAt >= opts.downForMs || !server.alive(), opts.downForMs + 1_000, 50);
  await sleep(100);
  const serverStayedUp = server.alive() && server.pid === pid;
  if (!serverStayedUp) problems.push(`the server process exited during the outage (code ${server.process.exitCode}): ${crashOutput(server.logs())}`);
  for (const [name, got] of Object.entries(during)) {
    const want = name === 'GET /health' ? '503 database:down' : /^(GET|POST) /.test(name) ? '503 UNAVAILABLE' : 'UNAVAILABLE';
    if (got !== want && got !== 'SERVER_GONE') problems.push(`${name} during the outage: ${got} (want ${want})`);
  }

  const downForMs = Date.now() - stopAt;
  await pg.start();
  const upAt = Date.now();
  const run: OutageRun = { downForMs, detectionMs, recoveryMs: NaN, firstVoteMs: NaN, during, serverStayedUp, acknowledged: first.ok ? 1 : 0, lost: 0, duplicated: 0, problems };
  if (!serverStayedUp) {
    await f.restart(); // so that later runs of a long profile still measure something
    return run;
  }
  run.recoveryMs = await waitFor('/health to recover', async () => ((await server.health()).status === 200 ? Date.now() - upAt : undefined), 60_000, 50).catch((err: Error) => (problems.push(err.message), NaN));

  // The vote refused during the outage, retried with the same request id: counted once.
  const again = await retried(() => cast(v2));
  run.firstVoteMs = Date.now() - upAt;
  const twice = await cast(v2);
  if (!again.ok || !twice.ok || again.data.receipt !== twice.data.receipt) problems.push(`vote retried after the outage: ${code(again)} then ${code(twice)}`);
  const flight = await inFlight;
  const flightRetry = await retried(() => cast(v1));
  if (!flightRetry.ok) problems.push(`the vote in flight at the crash, retried: ${code(flightRetry)}`);
  else if (flight.ok && flight.data.receipt !== flightRetry.data.receipt) problems.push('the vote acknowledged as the database went down got another receipt on retry');
  run.acknowledged += (flight.ok ? 1 : 0) + (again.ok ? 1 : 0);

  const chatAgain = await retried(chat);
  const chatTwice = await chat();
  if (!chatAgain.ok || !chatTwice.ok || chatAgain.data.id !== chatTwice.data.id) problems.push(`chat retried after the outage: ${code(chatAgain)} / ${code(chatTwice)}`);
  const rejoin = await retried(() => ask(e.socks[2]!, 'room:join', { roomId: f.room.id }));
  if (!rejoin.ok) problems.push(`room:join after the outage: ${code(rejoin)}`);
  await ask(e.socks[2]!, 'room:leave', {});

  // One row per seat that voted, the receipts its voter holds; the chat message once; the count.
  const rows = await f.query<{ seat_id: string; request_key: string }>(`SELECT seat_id, request_key FROM ballot_casts WHERE ballot_id = $1`, [ballotId]);
  const bySeat = new Map<string, string[]>();
  for (const r of rows) bySeat.set(r.seat_id, [...(bySeat.get(r.seat_id) ?? []), r.request_key]);
  run.duplicated += [...bySeat.values()].reduce((n, keys) => n + keys.length - 1, 0);
  for (const v of [v0, v1, v2]) if (bySeat.get(v!.seatId)?.[0] !== v!.key) run.lost++;
  const [{ n: chats }] = await f.query(`SELECT count(*)::int AS n FROM chat_messages WHERE client_request_id = $1`, [chatKey]);
  if (chats !== 1) problems.push(`the chat message retried after the outage is stored ${chats} times`);
  run.duplicated += Math.max(0, chats - 1);
  await http.post(`/api/ballots/${ballotId}/close`, {}, e.chair.accessToken);
  const published = await http.post<BallotView>(`/api/ballots/${ballotId}/publish`, {}, e.chair.accessToken);
  if ((published.body.result as { cast?: number } | null)?.cast !== 3) problems.push(`published after the outage: ${JSON.stringify(published.body).slice(0, 300)}`);
  const broken = verifyChain(await f.withDb((c) => auditChain(c, e.meetingId)));
  if (broken) problems.push(`audit chain after the outage: ${broken}`);
  return run;
}

const rest = (r: { status: number; body: any } | null) => (r ? `${r.status} ${r.body?.error?.code}` : 'SERVER_GONE');

/** What a dying server printed besides its JSON log lines (Node's report of an uncaught error). */
export function crashOutput(logs: string): string {
  const raw = logs.split('\n').filter((l) => l.trim() && !l.startsWith('{'));
  return raw.slice(-12).join('\n').slice(0, 1_500);
}
