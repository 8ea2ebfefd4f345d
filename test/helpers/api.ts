import { io, type Socket } from 'socket.io-client';
import {
  type Ack,
  type CommandName,
  type CommandPayload,
  type CommandResults,
  PROTOCOL_VERSION,
  type ServerEvents,
  type SessionDto,
  SOCKET_PATH,
} from '../../server/src/contract';

export interface Res<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A thin REST client speaking to a running server, as the web client does. */
export function api(base: string) {
  const call = async <T = any>(method: string, path: string, body?: unknown, token?: string, raw?: string): Promise<Res<T>> => {
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

/** Sends one command and waits for its ack. */
export function command<C extends CommandName>(socket: TestSocket, name: C, payload: CommandPayload<C>, timeoutMs = 5_000): Promise<Ack<CommandResults[C]>> {
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
