import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import type { DataSource } from 'typeorm';
import { GUEST_PASS_WINDOW_MINUTES, GUEST_PASSES_PER_ADDRESS } from '../../contract';
import { DomainEvents } from '../../common/domain-events';
import { AppError, isDatabaseUnavailable } from '../../common/errors';
import type { GuestPrincipal } from '../../common/ws/command';
import type { Principal } from '../identity/identity.service';
import { RevocationList } from '../identity/revocations';

/** How long a guest pass opens its room: one event's length, not a standing account. */
export const GUEST_PASS_TTL_MS = 6 * 3_600_000;
/** How long a pass is trusted between database checks (revocation, the room no longer taking guests). */
export const GUEST_RECHECK_MS = 5_000;

interface GuestClaims {
  /** The pass id. */
  gp: string;
  /** The guest's user row. */
  gu: string;
  room: string;
  name: string;
}

/**
 * Signs guest passes with a key of their own, derived from the server secret: an account's token
 * verifier cannot accept one (so no REST endpoint can), and a guest pass cannot be forged into an
 * account token.
 */
export const guestSigningKey = (jwtSecret: string): string =>
  createHmac('sha256', jwtSecret).update('quorum guest pass').digest('base64url');

/** Issues and checks guest passes; the realtime layer asks it about every guest connection and command. */
@Injectable()
export class GuestPassService {
  private readonly revocations = new RevocationList(GUEST_RECHECK_MS);
  private readonly rechecks = new Map<string, Promise<boolean>>();
  /** A hash of a password nobody knows: the guest's user row can never be signed in to. */
  private unusableHash: Promise<string> | undefined;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jwt: JwtService,
    private readonly events: DomainEvents,
  ) {
    // Raised here or on another node (the pass's socket may be anywhere): this node refuses it at once too.
    events.on('guest-pass.revoked', ({ passIds }) => this.revocations.revoke(passIds));
  }

  /** A pass for `roomId` under `displayName`. The caller has checked that the room takes guests. */
  async issue(roomId: string, displayName: string, address: string): Promise<{ token: string; expiresAt: Date; passId: string }> {
    this.unusableHash ??= argon2.hash(randomBytes(32).toString('base64url'), { type: argon2.argon2id });
    const passwordHash = await this.unusableHash;
    const expiresAt = new Date(Date.now() + GUEST_PASS_TTL_MS);
    const userId = randomUUID();
    const passId = randomUUID();
    await this.db.transaction(async (m) => {
      // Counted in the database (every node sees the same count); a lock per address makes a burst queue.
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`guest-pass:${address}`]);
      const [row] = (await m.query(
        `SELECT count(*)::int AS n FROM guest_passes WHERE address = $1 AND created_at > now() - make_interval(mins => $2)`,
        [address.slice(0, 100), GUEST_PASS_WINDOW_MINUTES],
      )) as { n: number }[];
      if ((row?.n ?? 0) >= GUEST_PASSES_PER_ADDRESS) {
        throw new AppError('RATE_LIMITED', 'Too many guests from this network. Try again in a few minutes.', {
          limit: GUEST_PASSES_PER_ADDRESS,
          minutes: GUEST_PASS_WINDOW_MINUTES,
        });
      }
      await m.query(`INSERT INTO users (id, email, password_hash, display_name) VALUES ($1, $2, $3, $4)`, [
        userId,
        `guest-${userId}@guests.invalid`,
        passwordHash,
        displayName,
      ]);
      await m.query(`INSERT INTO guest_passes (id, room_id, user_id, display_name, address, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
        passId,
        roomId,
        userId,
        displayName,
        address.slice(0, 100),
        expiresAt,
      ]);
    });
    const claims: GuestClaims = { gp: passId, gu: userId, room: roomId, name: displayName };
    const token = await this.jwt.signAsync(claims, { expiresIn: Math.floor(GUEST_PASS_TTL_MS / 1000), algorithm: 'HS256' });
    return { token, expiresAt, passId };
  }

  /** The socket handshake with a guest pass: valid signature, not expired, not revoked, room still open to guests. */
  async authenticate(token: string): Promise<{ principal: Principal; guest: GuestPrincipal }> {
    let claims: GuestClaims & { exp?: number };
    try {
      claims = await this.jwt.verifyAsync<GuestClaims & { exp?: number }>(token, { algorithms: ['HS256'] });
    } catch (err) {
      if ((err as Error).name === 'TokenExpiredError') throw new AppError('TOKEN_EXPIRED', 'This guest pass has expired.');
      throw new AppError('UNAUTHENTICATED', 'The guest pass is not valid.');
    }
    if (![claims.gp, claims.gu, claims.room, claims.name].every((v) => typeof v === 'string') || typeof claims.exp !== 'number') {
      throw new AppError('UNAUTHENTICATED', 'The guest pass is not valid.');
    }
    const guest: GuestPrincipal = { passId: claims.gp, roomId: claims.room, displayName: claims.name, expiresAt: claims.exp * 1000 };
    const principal: Principal = { userId: claims.gu, sessionId: claims.gp };
    if (this.revocations.status(guest.passId) === 'revoked' || !(await this.stillValid([guest.passId])).has(guest.passId)) {
      this.revocations.revoke([guest.passId]);
      throw new AppError('UNAUTHENTICATED', 'This guest pass is no longer valid.');
    }
    this.revocations.markVerified(guest.passId);
    return { principal, guest };
  }

  /** As IdentityService.sessionOpen, for a guest: from memory when checked recently, else from the database. */
  passOpen(guest: GuestPrincipal): boolean | Promise<boolean> {
    if (guest.expiresAt <= Date.now()) return false;
    const status = this.revocations.status(guest.passId);
    if (status !== 'stale') return status === 'fresh';
    let pending = this.rechecks.get(guest.passId);
    if (!pending) {
      pending = this.stillValid([guest.passId])
        .then(
          (valid) => {
            if (valid.has(guest.passId)) this.revocations.markVerified(guest.passId);
            else this.revoke([guest.passId]);
            return valid.has(guest.passId);
          },
          (err: unknown) => {
            if (isDatabaseUnavailable(err)) return true;
            throw err;
          },
        )
        .finally(() => this.rechecks.delete(guest.passId));
      this.rechecks.set(guest.passId, pending);
    }
    return pending;
  }

  /** Re-reads the given passes in one query; those no longer valid are revoked (their sockets close). */
  async sweep(guests: GuestPrincipal[]): Promise<void> {
    if (!guests.length) return;
    const ids = [...new Set(guests.map((g) => g.passId))];
    const valid = await this.stillValid(ids);
    const ended = ids.filter((id) => !valid.has(id) && this.revocations.status(id) !== 'revoked');
    for (const id of ids) if (valid.has(id)) this.revocations.markVerified(id);
    if (ended.length) this.revoke(ended);
  }

  /** Ends a guest's pass now (a host removed them). */
  async revokeUser(userId: string): Promise<void> {
    // TypeORM answers an UPDATE with [rows, affected count], not the rows alone.
    const [rows] = (await this.db.query(
      `UPDATE guest_passes SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`,
      [userId],
    )) as [{ id: string }[], number];
    if (rows.length) this.revoke(rows.map((r) => r.id));
  }

  private revoke(passIds: string[]): void {
    this.events.emit('guest-pass.revoked', { passIds });
  }

  /** Passes that are unexpired, unrevoked, and whose room is still a public webinar. */
  private async stillValid(passIds: string[]): Promise<Set<string>> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT g.id FROM guest_passes g JOIN rooms r ON r.id = g.room_id
        WHERE g.id = ANY($1::uuid[]) AND g.revoked_at IS NULL AND g.expires_at > now() AND r.access = 'public' AND r.mode = 'webinar'`,
      [passIds],
    );
    return new Set(rows.map((r) => r.id));
  }
}
