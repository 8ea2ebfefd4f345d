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
import { SOCKET_OPTIONS, superviseSocket } from './reconnect';

export type QuorumSocket = Socket<ServerEvents, ClientEvents>;

let socket: QuorumSocket | null = null;
/** A guest pass (no account): the socket then speaks for that guest, in their one webinar. */
let guestToken: string | null = null;

/** Switches this tab's socket to a guest pass (or back to the account with `null`). */
export function setGuestPass(token: string | null): void {
  if (token === guestToken) return;
  guestToken = token;
  disconnectSocket();
}

/** The server refuses a handshake with an Error whose `data.code` (or message) is an error code. */
const handshakeCode = (err: Error & { data?: { code?: unknown } }) => toErrorCode(err.data?.code ?? err.message, -1);

/** The one socket of this tab, connected on first use with the current access token. */
export function connectSocket(): QuorumSocket {
  if (socket) return socket;
  const s: QuorumSocket = io({
    path: SOCKET_PATH,
    ...SOCKET_OPTIONS,
    transports: [...SOCKET_OPTIONS.transports],
    auth: (cb) => {
      if (guestToken) return cb({ guestToken, protocol: PROTOCOL_VERSION } satisfies HandshakeAuth);
      ensureAccessToken().then(
        (token) => cb({ token, protocol: PROTOCOL_VERSION } satisfies HandshakeAuth),
        () => cb({ token: '', protocol: PROTOCOL_VERSION } satisfies HandshakeAuth),
      );
    },
  });
  superviseSocket(s, {
    codeOf: handshakeCode,
    refreshToken: refreshAccessToken,
    // The room and the app show the connection as lost; this says why.
    onRefused: (code) => console.warn(`[socket] the server refused the connection: ${code}`),
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
