import type { ErrorCode } from '@contract';

/**
 * How this client comes back after losing the server: the socket.io options, what to do with a
 * refused handshake, and how long to wait between attempts. Plain code with no browser APIs, so the
 * restart tests drive a thousand clients with exactly this logic.
 */

/** The socket.io options of the browser client (besides path and auth). */
export const SOCKET_OPTIONS = {
  transports: ['websocket', 'polling'],
  tryAllTransports: true,
  // A restart is over in seconds: the first retry comes fast, then backoff. The jitter spreads a
  // thousand clients out so they do not all knock at the same instant.
  reconnectionDelay: 250,
  reconnectionDelayMax: 1_000,
  randomizationFactor: 0.5,
} as const;

/** A refusal that joining again cannot fix. */
export const REFUSALS: ReadonlySet<ErrorCode> = new Set(['FORBIDDEN', 'NOT_FOUND', 'ROOM_FULL', 'ROOM_LOCKED', 'UNAUTHENTICATED']);

/** Refusals that trying again a little later can fix (a restart, a slow database, a busy server). */
export const TRANSIENT: ReadonlySet<ErrorCode> = new Set(['UNAVAILABLE', 'RATE_LIMITED', 'INTERNAL']);

/**
 * Exponential backoff with jitter: attempt 0 waits about `firstMs`, each next one about twice as
 * long, up to about `maxMs`; every wait is drawn from [0.5, 1.5) times its base.
 */
export function backoffMs(attempt: number, o: { firstMs?: number; maxMs?: number } = {}, random: () => number = Math.random): number {
  const base = Math.min((o.firstMs ?? 250) * 2 ** Math.max(0, attempt), o.maxMs ?? 5_000);
  return Math.round(base * (0.5 + random()));
}

/** The wait before rejoin attempt `attempt + 1` after attempt `attempt` failed for a temporary reason. */
export function rejoinDelayMs(attempt: number, random: () => number = Math.random): number {
  return backoffMs(attempt, {}, random);
}

/** The parts of a socket.io client socket the supervision needs. */
export interface SupervisedSocket {
  readonly active: boolean;
  connect(): unknown;
  on(event: 'connect', fn: () => void): unknown;
  on(event: 'connect_error', fn: (err: Error & { data?: { code?: unknown } }) => void): unknown;
}

/**
 * What the socket does on its own besides socket.io's reconnection (which covers connections that
 * fail or break): a handshake the server refuses is retried when the refusal is temporary
 * (UNAVAILABLE from a draining server, say), with jittered backoff and for as long as it takes; an
 * expired token is refreshed once; any other refusal is reported through `onRefused`, never dropped.
 */
export function superviseSocket(
  s: SupervisedSocket,
  o: { codeOf: (err: Error & { data?: { code?: unknown } }) => ErrorCode; refreshToken: () => Promise<unknown>; onRefused?: (code: ErrorCode) => void },
): void {
  let retriedAuth = false;
  let attempts = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  s.on('connect', () => {
    retriedAuth = false;
    attempts = 0;
    clearTimeout(timer);
  });
  s.on('connect_error', (err) => {
    // Still active: the connection itself failed and socket.io retries by itself.
    if (s.active) return;
    const code = o.codeOf(err);
    if (TRANSIENT.has(code)) {
      clearTimeout(timer);
      timer = setTimeout(() => s.connect(), backoffMs(attempts++, { maxMs: 10_000 }));
      return;
    }
    if ((code === 'TOKEN_EXPIRED' || code === 'UNAUTHENTICATED') && !retriedAuth) {
      retriedAuth = true;
      o.refreshToken().then(
        () => s.connect(),
        () => o.onRefused?.(code),
      );
      return;
    }
    o.onRefused?.(code);
  });
}
