import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A media token: what lets a player, a `<track>` element or a download link fetch a recording's files
 * without an Authorization header (which none of them can send). It names one recording, the viewer
 * (account and session, or nobody) and an expiry, under an HMAC of a key derived from the server's
 * secret. It grants nothing by itself: each request still goes through the access rule for the person
 * it names, so a changed access level or role, or a closed session, takes effect at once.
 */

export interface MediaGrant {
  recordingId: string;
  userId: string | null;
  sessionId: string | null;
  /** Seconds since the epoch. */
  expiresAt: number;
}

const SHAPE = /^[A-Za-z0-9_-]{20,400}\.[A-Za-z0-9_-]{43}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The key media tokens are signed with, derived so that it signs nothing else. */
export const mediaTokenKey = (serverSecret: string): Buffer =>
  createHmac('sha256', serverSecret).update('quorum recording media token v1').digest();

const mac = (key: Buffer, body: string) => createHmac('sha256', key).update(body).digest('base64url');

export function signMediaToken(key: Buffer, g: MediaGrant): string {
  const body = Buffer.from(JSON.stringify([g.recordingId, g.userId, g.sessionId, g.expiresAt])).toString('base64url');
  return `${body}.${mac(key, body)}`;
}

/** The grant a token carries, or null when it is malformed, forged or expired. */
export function readMediaToken(key: Buffer, token: string, nowSeconds: number): MediaGrant | null {
  if (!SHAPE.test(token)) return null;
  const [body, sig] = token.split('.') as [string, string];
  const expected = Buffer.from(mac(key, body));
  if (!timingSafeEqual(expected, Buffer.from(sig))) return null;
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(fields) || fields.length !== 4) return null;
  const [recordingId, userId, sessionId, expiresAt] = fields as unknown[];
  if (typeof recordingId !== 'string' || !UUID.test(recordingId)) return null;
  if (userId !== null && (typeof userId !== 'string' || !UUID.test(userId))) return null;
  if (sessionId !== null && (typeof sessionId !== 'string' || !UUID.test(sessionId))) return null;
  if ((userId === null) !== (sessionId === null)) return null;
  if (typeof expiresAt !== 'number' || !Number.isSafeInteger(expiresAt) || expiresAt <= nowSeconds) return null;
  return { recordingId, userId: userId as string | null, sessionId: sessionId as string | null, expiresAt };
}
