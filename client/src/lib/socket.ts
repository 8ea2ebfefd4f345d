import {
  PROTOCOL_VERSION,
  SOCKET_PATH,
  type Ack,
  type ClientEvents,
  type CommandName,
  type CommandPayload,
  type CommandResults,
  type HandshakeAuth,
  type ServerEvents,
} from '@contract';
import { io, type Socket } from 'socket.io-client';
import { ApiError, ensureAccessToken, refreshAccessToken, toErrorCode } from './api';

export type QuorumSocket = Socket<ServerEvents, ClientEvents>;

let socket: QuorumSocket | null = null;

/** The server refuses a handshake with an Error whose `data.code` (or message) is an error code. */
const handshakeCode = (err: Error & { data?: { code?: unknown } }) => toErrorCode(err.data?.code ?? err.message, -1);

/** The one socket of this tab, connected on first use with the current access token. */
export function connectSocket(): QuorumSocket {
  if (socket) return socket;
  const s: QuorumSocket = io({
    path: SOCKET_PATH,
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    auth: (cb) => {
      ensureAccessToken().then(
        (token) => cb({ token, protocol: PROTOCOL_VERSION } satisfies HandshakeAuth),
        () => cb({ token: '', protocol: PROTOCOL_VERSION } satisfies HandshakeAuth),
      );
    },
  });
  let retriedAuth = false;
  s.on('connect', () => {
    retriedAuth = false;
  });
  s.on('connect_error', (err) => {
    const code = handshakeCode(err);
    if (s.active || retriedAuth || (code !== 'TOKEN_EXPIRED' && code !== 'UNAUTHENTICATED')) return;
    retriedAuth = true;
    refreshAccessToken().then(
      () => s.connect(),
      () => undefined,
    );
  });
  s.on('server:draining', ({ retryInMs }) => {
    s.disconnect();
    setTimeout(() => s.connect(), retryInMs + Math.random() * 1000);
  });
  socket = s;
  return s;
}

export function disconnectSocket(): void {
  socket?.disconnect();
  socket = null;
}

/** Sends a command and resolves with its data, or rejects with an ApiError carrying the server's code. */
export async function emitCommand<C extends CommandName>(
  name: C,
  payload: CommandPayload<C>,
  timeoutMs = 10_000,
): Promise<CommandResults[C]> {
  const emitter = connectSocket().timeout(timeoutMs) as unknown as {
    emitWithAck(name: C, payload: CommandPayload<C>): Promise<Ack<CommandResults[C]>>;
  };
  let ack: Ack<CommandResults[C]>;
  try {
    ack = await emitter.emitWithAck(name, payload);
  } catch {
    throw new ApiError('UNAVAILABLE', `${name} timed out`);
  }
  if (!ack.ok) throw new ApiError(toErrorCode(ack.error.code), ack.error.message, 0, ack.error.details);
  return ack.data;
}
