/**
 * Stable error codes shared by REST and sockets. Clients translate them (`t('errors.' + code)`),
 * so a code is never renamed once released; add new ones instead.
 */
export const ERROR_CODES = [
  'INVALID_PAYLOAD',
  'UNKNOWN_EVENT',
  'UNAUTHENTICATED',
  'TOKEN_EXPIRED',
  'CLIENT_TOO_OLD',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'EMAIL_TAKEN',
  'INVALID_CREDENTIALS',
  'INVITE_INVALID',
  'INVITE_EXPIRED',
  'ALREADY_MEMBER',
  'LAST_OWNER',
  'ROOM_FULL',
  'ROOM_LOCKED',
  'LOBBY_WAITING',
  'NOT_IN_ROOM',
  'UNSUPPORTED_MEDIA',
  'ALREADY_VOTED',
  'POLL_CLOSED',
  'NOT_ELIGIBLE',
  'BALLOT_CLOSED',
  'BALLOT_NOT_OPEN',
  'QUORUM_NOT_MET',
  'PROXY_INSTRUCTED',
  'ILLEGAL_TRANSITION',
  'RATE_LIMITED',
  'TOO_MANY_CONNECTIONS',
  'TOO_MANY_TRANSPORTS',
  'TOO_MANY_CONSUMERS',
  'QUOTA_EXCEEDED',
  'WEAK_PASSWORD',
  'INVITE_REVOKED',
  'INVITE_USED_UP',
  'INVITE_NOT_FOR_YOU',
  'RESET_LINK_INVALID',
  'UNSUPPORTED_PROTOCOL',
  'ORIGIN_NOT_ALLOWED',
  'PAYLOAD_TOO_LARGE',
  'UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The HTTP status a code maps to on REST endpoints. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_PAYLOAD: 400,
  UNKNOWN_EVENT: 400,
  UNAUTHENTICATED: 401,
  TOKEN_EXPIRED: 401,
  CLIENT_TOO_OLD: 426,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  EMAIL_TAKEN: 409,
  INVALID_CREDENTIALS: 401,
  INVITE_INVALID: 404,
  INVITE_EXPIRED: 410,
  ALREADY_MEMBER: 409,
  LAST_OWNER: 409,
  ROOM_FULL: 409,
  ROOM_LOCKED: 423,
  LOBBY_WAITING: 202,
  NOT_IN_ROOM: 409,
  UNSUPPORTED_MEDIA: 422,
  ALREADY_VOTED: 409,
  POLL_CLOSED: 409,
  NOT_ELIGIBLE: 403,
  BALLOT_CLOSED: 409,
  BALLOT_NOT_OPEN: 409,
  QUORUM_NOT_MET: 409,
  PROXY_INSTRUCTED: 409,
  ILLEGAL_TRANSITION: 409,
  RATE_LIMITED: 429,
  TOO_MANY_CONNECTIONS: 429,
  TOO_MANY_TRANSPORTS: 429,
  TOO_MANY_CONSUMERS: 429,
  QUOTA_EXCEEDED: 429,
  WEAK_PASSWORD: 400,
  INVITE_REVOKED: 410,
  INVITE_USED_UP: 410,
  INVITE_NOT_FOR_YOU: 403,
  RESET_LINK_INVALID: 410,
  UNSUPPORTED_PROTOCOL: 426,
  ORIGIN_NOT_ALLOWED: 403,
  PAYLOAD_TOO_LARGE: 413,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** The single envelope every socket command answers with. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/** REST error responses have this shape, whatever the status. */
export interface RestErrorResponse {
  error: ErrorBody;
}
