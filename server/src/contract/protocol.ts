/**
 * Socket protocol version. The client sends it in the handshake (`auth.protocol`); the server refuses
 * anything older than MIN_PROTOCOL_VERSION with CLIENT_TOO_OLD so an outdated tab reloads instead of
 * misbehaving.
 */
export const PROTOCOL_VERSION = 1;
export const MIN_PROTOCOL_VERSION = 1;

/** Socket.io path; kept apart from /api so proxies can route it. */
export const SOCKET_PATH = '/ws';
