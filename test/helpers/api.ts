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

let seq = 0;
/** Registers a fresh person and returns their session. */
export async function register(base: string, name = 'Member'): Promise<SessionDto> {
  const email = `${name.toLowerCase().replace(/\W+/g, '.').replace(/^\.+|\.+$/g, '') || 'user'}.${process.pid}.${Date.now()}.${seq++}@example.org`;
  const res = await api(base).post<SessionDto>('/api/auth/register', { email, password: 'a long enough password', displayName: name });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Rotates `session`'s refresh token for a new access token (kept in `session`), as the web client does. */
export async function refreshSession(base: string, session: SessionDto): Promise<string> {
  const res = await api(base).post('/api/auth/refresh', { refreshToken: session.refreshToken });
  if (res.status !== 200) throw new Error(`refresh failed: ${res.status} ${JSON.stringify(res.body)}`);
  Object.assign(session, { accessToken: res.body.accessToken, refreshToken: res.body.refreshToken });
  return session.accessToken;
}

export type TestSocket = Socket<ServerEvents, any>;

/** Connects a socket.io client; rejects with the server's refusal (`err.data.code`). */
export function connectSocket(base: string, auth: { token?: string; protocol?: number }): Promise<TestSocket> {
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
