import { io, type Socket } from 'socket.io-client';
import {
  type Ack,
  type BallotView,
  type CastReceipt,
  type CommandName,
  type CommandPayload,
  type CommandResults,
  PROTOCOL_VERSION,
  type ServerEvents,
  type SessionDto,
  SOCKET_PATH,
} from '../../server/src/contract';
import { isSecret, meetingOf, opened, releaseShares, seal, withBallotKey } from './ballot-device';

export interface Res<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

const BALLOT_MOVE = /^\/api\/ballots\/([0-9a-f-]{36})\/(open|close)$/;

/**
 * A thin REST client speaking to a running server, as the web client does — including what the web
 * client's device does around a secret ballot (ballot-device.ts): the opener's device makes and splits
 * the ballot's key, and tellers' devices release their shares once voting ends. `device: false` sends
 * exactly what it is given.
 */
export function api(base: string, { device = true }: { device?: boolean } = {}) {
  const call = async <T = any>(method: string, path: string, body?: unknown, token?: string, raw?: string): Promise<Res<T>> => {
    const move = device && method === 'POST' && token && raw === undefined ? BALLOT_MOVE.exec(path) : null;
    if (move?.[2] === 'open' && (body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && !('key' in body)))) {
      body = await withBallotKey(plain, move[1]!, (body ?? {}) as Record<string, unknown>, token!);
    }
    const res = await send<T>(method, path, body, token, raw);
    if (move && res.status === 200) {
      if (move[2] === 'open') opened(res.body as BallotView);
      else if ((res.body as BallotView).status === 'counting') return (await releaseShares(plain, res.body as BallotView)) as Res<T>;
    }
    return res;
  };
  const plain = (method: string, path: string, body?: unknown, token?: string) => send(method, path, body, token);
  const send = async <T = any>(method: string, path: string, body?: unknown, token?: string, raw?: string): Promise<Res<T>> => {
    const headers: Record<string, string> = {};
    if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(base + path, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  };
  return {
    call,
    get: <T = any>(path: string, token?: string) => call<T>('GET', path, undefined, token),
    post: <T = any>(path: string, body?: unknown, token?: string) => call<T>('POST', path, body, token),
    patch: <T = any>(path: string, body?: unknown, token?: string) => call<T>('PATCH', path, body, token),
    del: <T = any>(path: string, token?: string) => call<T>('DELETE', path, undefined, token),
  };
}

/** A signed-in person as the tests hold it: the refresh token is what the browser keeps in its cookie. */
export type TestSession = SessionDto & { refreshToken: string };

/** The refresh token a response set in its HttpOnly cookie. */
export const refreshCookie = (res: Res): string | undefined => /(?:^|[\s,])quorum_refresh=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1] || undefined;

/** A call to a cookie-authenticated endpoint, as the web client makes it (cookie plus the CSRF header). */
export async function withRefreshCookie(base: string, path: '/api/auth/refresh' | '/api/auth/sign-out', refreshToken: string | undefined, csrf = true): Promise<Res> {
  const headers: Record<string, string> = {};
  if (refreshToken) headers.cookie = `quorum_refresh=${refreshToken}`;
  if (csrf) headers['x-quorum-csrf'] = '1';
  const res = await fetch(base + path, { method: 'POST', headers });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

export async function signIn(base: string, email: string, password = 'a long enough password'): Promise<TestSession> {
  const res = await api(base).post<SessionDto>('/api/auth/sign-in', { email, password });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...res.body, refreshToken: refreshCookie(res)! };
}

/** Signs up (answered 202, whatever the address) and signs in, as the web client does. */
export async function registerAs(base: string, body: { email: string; password: string; displayName: string }): Promise<TestSession> {
  const res = await api(base).post('/api/auth/register', body);
  if (res.status !== 202) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return signIn(base, body.email, body.password);
}

let seq = 0;
/** Registers a fresh person and returns their session. */
export async function register(base: string, name = 'Member'): Promise<TestSession> {
  const email = `${name.toLowerCase().replace(/\W+/g, '.').replace(/^\.+|\.+$/g, '') || 'user'}.${process.pid}.${Date.now()}.${seq++}@example.org`;
  return registerAs(base, { email, password: 'a long enough password', displayName: name });
}

/** Rotates `session`'s refresh token for a new access token (kept in `session`), as the web client does. */
export async function refreshSession(base: string, session: TestSession): Promise<string> {
  const res = await withRefreshCookie(base, '/api/auth/refresh', session.refreshToken);
  if (res.status !== 200) throw new Error(`refresh failed: ${res.status} ${JSON.stringify(res.body)}`);
  Object.assign(session, { accessToken: res.body.accessToken, refreshToken: refreshCookie(res) });
  return session.accessToken;
}

export type TestSocket = Socket<ServerEvents, any>;

/** Connects a socket.io client; rejects with the server's refusal (`err.data.code`). */
export function connectSocket(base: string, auth: { token?: string; guestToken?: string; protocol?: number }): Promise<TestSocket> {
  const socket: TestSocket = io(base, {
    path: SOCKET_PATH,
    transports: ['websocket'],
    auth: { protocol: PROTOCOL_VERSION, ...auth },
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err: Error & { data?: { code?: string } }) => {
      socket.close();
      reject(err);
    });
  });
}

/**
 * Sends one command and waits for its ack. A vote on a secret ballot opened through `api` is sealed
 * first, as the voter's device seals it, and its receipt (which only the device knows) is put in the ack.
 */
export async function command<C extends CommandName>(socket: TestSocket, name: C, payload: CommandPayload<C>, timeoutMs = 5_000): Promise<Ack<CommandResults[C]>> {
  const p = payload as Record<string, any>;
  if (name === 'ballot:cast' && p.choice !== undefined && isSecret(p.ballotId)) {
    const { choice, ...rest } = p;
    const sealed = seal(p.ballotId, choice, p.clientRequestId, p.seatId)!;
    const ack = (await socket.timeout(timeoutMs).emitWithAck(name, { ...rest, envelope: sealed.envelope })) as Ack<CastReceipt>;
    if (ack.ok && ack.data.receipt === null) ack.data.receipt = sealed.receipt;
    return ack as Ack<CommandResults[C]>;
  }
  if (name === 'ballot:cast-all' && p.choice !== undefined && isSecret(p.ballotId)) {
    const { choice, ...rest } = p;
    const watch = (await socket.timeout(timeoutMs).emitWithAck('meeting:watch', { meetingId: meetingOf(p.ballotId) })) as Ack<CommandResults['meeting:watch']>;
    if (!watch.ok) return watch as Ack<CommandResults[C]>;
    const seals = new Map(watch.data.mySeats.map((s) => [s.seatId, seal(p.ballotId, choice, p.clientRequestId, s.seatId)!]));
    const envelopes = [...seals].map(([seatId, s]) => ({ seatId, envelope: s.envelope }));
    const ack = (await socket.timeout(timeoutMs).emitWithAck(name, { ...rest, envelopes })) as Ack<{ receipts: CastReceipt[] }>;
    if (ack.ok) for (const r of ack.data.receipts) if (r.receipt === null) r.receipt = seals.get(r.seatId)!.receipt;
    return ack as Ack<CommandResults[C]>;
  }
  return socket.timeout(timeoutMs).emitWithAck(name, payload) as Promise<Ack<CommandResults[C]>>;
}

/** Sends anything at all (for malformed-input tests). */
export function rawEmit(socket: TestSocket, event: string, ...args: unknown[]): Promise<Ack<unknown>> {
  return socket.timeout(5_000).emitWithAck(event, ...args) as Promise<Ack<unknown>>;
}

export function nextEvent<E extends keyof ServerEvents>(socket: TestSocket, event: E, timeoutMs = 5_000): Promise<Parameters<ServerEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${String(event)} within ${timeoutMs} ms`)), timeoutMs);
    (socket as Socket).once(event as string, (e: any) => {
      clearTimeout(t);
      resolve(e);
    });
  });
}
