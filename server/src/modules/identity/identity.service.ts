import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { DataSource, IsNull } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import type { AuthTokensDto, PasswordResetRequestBody, RegisterBody, RegistrationDto, SessionDto, SignInBody, UserDto } from '../../contract';
import { MailService } from '../mail/mail.service';
import { mailText } from '../mail/messages';
import { DomainEvents } from '../../common/domain-events';
import { LOGGER } from '../../common/logging';
import type { Logger } from 'pino';
import { passwordWeakness } from './password-strength';
import { AppError, isDatabaseUnavailable, isUniqueViolation } from '../../common/errors';
import { AuthSession } from './auth-session.entity';
import { RefreshToken } from './refresh-token.entity';
import { OpenSessions } from './open-sessions';
import { RevocationList } from './revocations';
import { User } from './user.entity';

export interface AccessClaims {
  sub: string;
  sid: string;
}

export type { SessionsRevoked } from '../../common/domain-events';

/**
 * How long a socket's session is trusted between database checks. Revocations made through this
 * process apply at once; this bounds the delay for those made elsewhere (another node, plain SQL).
 */
export const SESSION_RECHECK_MS = 5_000;

/** The authenticated caller, as guards and gateways see it. */
export interface Principal {
  userId: string;
  sessionId: string;
}

const ARGON2 = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** What the service hands the controller: the refresh token goes into a cookie, never into a body. */
type IssuedTokens = AuthTokensDto & { refreshToken: string };

/** A password hash nobody knows the password of: accounts that sign in only through their institution. */
export const unusablePasswordHash = (): Promise<string> => argon2.hash(randomBytes(32).toString('base64url'), ARGON2);

export const toUserDto = (u: User): UserDto => ({ id: u.id, email: u.email, displayName: u.displayName });

@Injectable()
export class IdentityService {
  /** Verifying against this keeps sign-in time the same whether or not the email exists. */
  private readonly dummyHash = argon2.hash('not-a-real-password', ARGON2);
  private readonly revocations = new RevocationList(SESSION_RECHECK_MS);
  private readonly rechecks = new Map<string, Promise<boolean>>();
  private readonly openSessions = new OpenSessions((ids) => this.openSessionUsers(ids));

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly events: DomainEvents,
    private readonly mail: MailService,
  ) {}

  /**
   * Same answer, and about the same time (one argon2 hash), whether the address is new or taken: the
   * owner of a taken address would be told by mail that someone tried; with no mail set up, it is logged.
   */
  async register(body: RegisterBody): Promise<RegistrationDto> {
    const weakness = passwordWeakness(body.password, [body.email, body.displayName]);
    if (weakness) throw new AppError('WEAK_PASSWORD', weakness);
    const passwordHash = await argon2.hash(body.password, ARGON2);
    try {
      await this.db.getRepository(User).insert({ email: body.email, passwordHash, displayName: body.displayName });
    } catch (err) {
      if (!isUniqueViolation(err, 'uq_users_email')) throw err;
      this.logger.info({ event: 'sign-up-for-existing-account' }, 'sign-up attempted for an address that already has an account');
    }
    return { status: 'accepted' };
  }

  async signIn(body: SignInBody): Promise<SessionDto & { refreshToken: string }> {
    const user = await this.db
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: body.email })
      .getOne();
    const ok = user ? await argon2.verify(user.passwordHash, body.password) : (await argon2.verify(await this.dummyHash, body.password), false);
    if (!user || !ok) throw new AppError('INVALID_CREDENTIALS', 'Email or password is wrong.');
    return { user: toUserDto(user), ...(await this.startSession(user.id)) };
  }

  /**
   * Rotation: a refresh token works once. Presenting one that was already used means it was copied,
   * so the whole session is revoked (the thief and the owner both have to sign in again).
   */
  async refresh(refreshToken: string): Promise<IssuedTokens> {
    const result = await this.db.transaction(async (m): Promise<IssuedTokens | AuthSession> => {
      const row = await m
        .getRepository(RefreshToken)
        .createQueryBuilder('t')
        .setLock('pessimistic_write')
        .where('t.token_hash = :h', { h: sha256(refreshToken) })
        .getOne();
      if (!row) throw new AppError('UNAUTHENTICATED', 'The session is no longer valid. Sign in again.');
      const session = await m.getRepository(AuthSession).findOneBy({ id: row.sessionId });
      if (!session || session.revokedAt) throw new AppError('UNAUTHENTICATED', 'The session is no longer valid. Sign in again.');
      if (row.usedAt) {
        // Committed, not thrown: a throw here would roll the revocation back.
        await m.getRepository(AuthSession).update({ id: session.id }, { revokedAt: new Date() });
        return session;
      }
      if (row.expiresAt.getTime() <= Date.now()) throw new AppError('TOKEN_EXPIRED', 'The session has expired. Sign in again.');
      await m.getRepository(RefreshToken).update({ id: row.id }, { usedAt: new Date() });
      return this.issueTokens(m.getRepository(RefreshToken), session.userId, session.id);
    });
    if (result instanceof AuthSession) {
      this.revoked(result.userId, [result.id]);
      throw new AppError('UNAUTHENTICATED', 'The session is no longer valid. Sign in again.');
    }
    return result;
  }

  /** Ends the session of this refresh token; its access tokens stop working at once. Idempotent. */
  async signOut(refreshToken: string, principal?: Principal): Promise<void> {
    const row = await this.db.getRepository(RefreshToken).findOneBy({ tokenHash: sha256(refreshToken) });
    const sessionId = row?.sessionId ?? principal?.sessionId;
    if (!sessionId) return;
    await this.db.getRepository(AuthSession).update({ id: sessionId, revokedAt: IsNull() }, { revokedAt: new Date() });
    const session = await this.db.getRepository(AuthSession).findOneBy({ id: sessionId });
    if (session) this.revoked(session.userId, [session.id]);
  }

  /**
   * A new password ends every other session of the account (whoever else held one loses it, sockets
   * included); the caller's own session stays.
   */
  async changePassword(principal: Principal, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.db.getRepository(User).createQueryBuilder('u').addSelect('u.passwordHash').where('u.id = :id', { id: principal.userId }).getOne();
    if (!user) throw new AppError('UNAUTHENTICATED', 'The account no longer exists.');
    if (!(await argon2.verify(user.passwordHash, currentPassword))) throw new AppError('INVALID_CREDENTIALS', 'The current password is wrong.');
    const weakness = passwordWeakness(newPassword, [user.email, user.displayName]);
    if (weakness) throw new AppError('WEAK_PASSWORD', weakness);
    const passwordHash = await argon2.hash(newPassword, ARGON2);
    const ended: { id: string }[] = await this.db.transaction(async (m) => {
      await m.getRepository(User).update({ id: user.id }, { passwordHash });
      const [rows] = (await m.query(
        `UPDATE auth_sessions SET revoked_at = now() WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL RETURNING id`,
        [user.id, principal.sessionId],
      )) as [{ id: string }[], number];
      return rows;
    });
    if (ended.length) this.revoked(user.id, ended.map((r) => r.id));
  }

  /**
   * Mails a single-use link to choose a new password, valid PASSWORD_RESET_TTL_MINUTES. Returns before
   * any mail is sent and whether or not the address has an account, so neither the answer nor its
   * timing tells who is registered.
   */
  requestPasswordReset(body: PasswordResetRequestBody): void {
    void this.mailResetLink(body).catch((err: unknown) => this.logger.error({ err, event: 'password-reset-mail-failed' }, 'could not send the password-reset mail'));
  }

  private async mailResetLink(body: PasswordResetRequestBody): Promise<void> {
    const user = await this.db.getRepository(User).findOneBy({ email: body.email });
    if (!user) return;
    const token = randomBytes(32).toString('base64url');
    const minutes = this.config.passwordResetTtlMinutes;
    await this.db.query(`INSERT INTO password_resets (user_id, token_hash, expires_at) VALUES ($1, $2, now() + make_interval(mins => $3))`, [
      user.id,
      sha256(token),
      minutes,
    ]);
    // In the fragment: the browser never sends it, so it stays out of every access log.
    const link = `${this.config.publicUrl}/reset-password#${token}`;
    await this.mail.send(user.email, mailText(body.language, 'passwordReset', { name: user.displayName, link, minutes }));
  }

  /**
   * Sets a new password through a mailed link: the link works once and until it expires, every session
   * of the account ends (sockets included), and a new one starts for the person who reset it.
   */
  async resetPassword(token: string, newPassword: string): Promise<SessionDto & { refreshToken: string }> {
    const [found] = (await this.db.query(`SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()`, [
      sha256(token),
    ])) as { user_id: string }[];
    if (!found) throw new AppError('RESET_LINK_INVALID', 'This link has expired or was already used. Ask for a new one.');
    const user = await this.db.getRepository(User).findOneByOrFail({ id: found.user_id });
    // Checked before the link is spent: a refused password leaves the link usable.
    const weakness = passwordWeakness(newPassword, [user.email, user.displayName]);
    if (weakness) throw new AppError('WEAK_PASSWORD', weakness);
    const passwordHash = await argon2.hash(newPassword, ARGON2);
    const ended = await this.db.transaction(async (m) => {
      const [spent] = (await m.query(
        `UPDATE password_resets SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING id`,
        [sha256(token)],
      )) as [{ id: string }[], number];
      if (!spent.length) throw new AppError('RESET_LINK_INVALID', 'This link has expired or was already used. Ask for a new one.');
      // Every other link of the account goes too: whoever asked for them no longer needs them.
      await m.query(`UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`, [user.id]);
      await m.getRepository(User).update({ id: user.id }, { passwordHash });
      // The link reached the mailbox: its owner holds the account now.
      await m.query(`UPDATE users SET email_verified_at = COALESCE(email_verified_at, now()) WHERE id = $1`, [user.id]);
      const [rows] = (await m.query(`UPDATE auth_sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`, [user.id])) as [
        { id: string }[],
        number,
      ];
      return rows;
    });
    if (ended.length) this.revoked(user.id, ended.map((r) => r.id));
    this.logger.info({ event: 'password-reset', userId: user.id, sessionsEnded: ended.length }, 'password reset through a mailed link');
    return { user: toUserDto(user), ...(await this.startSession(user.id)) };
  }

  /**
   * Whether a socket's session is still open: answered from memory for sessions this process saw
   * revoked or checked within SESSION_RECHECK_MS, from the database otherwise. A database that cannot
   * be reached does not end sessions (nothing can be revoked while it is down either).
   */
  sessionOpen(p: Principal): boolean | Promise<boolean> {
    const status = this.revocations.status(p.sessionId);
    if (status !== 'stale') return status === 'fresh';
    // One question per session at a time: commands waiting on it then run in the order they came.
    let pending = this.rechecks.get(p.sessionId);
    if (!pending) {
      pending = this.recheck(p).finally(() => this.rechecks.delete(p.sessionId));
      this.rechecks.set(p.sessionId, pending);
    }
    return pending;
  }

  private recheck(p: Principal): Promise<boolean> {
    return this.db.getRepository(AuthSession).existsBy({ id: p.sessionId, userId: p.userId, revokedAt: IsNull() }).then(
      (open) => {
        if (open) this.revocations.markVerified(p.sessionId);
        else this.revocations.revoke([p.sessionId]);
        return open;
      },
      (err: unknown) => {
        if (isDatabaseUnavailable(err)) return true;
        throw err;
      },
    );
  }

  /**
   * Re-reads the given open sessions in one query (the realtime layer calls this for every connected
   * socket every SESSION_RECHECK_MS / 2), so that commands find their session fresh and never wait for
   * the database; sessions found ended are revoked here, which closes their sockets.
   */
  async sweep(principals: Principal[]): Promise<void> {
    if (principals.length === 0) return;
    const open = await this.openSessionUsers([...new Set(principals.map((p) => p.sessionId))]);
    for (const p of principals) {
      if (open.get(p.sessionId) === p.userId) this.revocations.markVerified(p.sessionId);
      else if (this.revocations.status(p.sessionId) !== 'revoked') this.revoked(p.userId, [p.sessionId]);
    }
  }

  /** Of the given sessions, the open ones with their user. */
  private async openSessionUsers(ids: string[]): Promise<Map<string, string>> {
    ids = ids.filter((id) => UUID.test(id));
    if (!ids.length) return new Map();
    const rows: { id: string; user_id: string }[] = await this.db.query('SELECT id, user_id FROM auth_sessions WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL', [ids]);
    return new Map(rows.map((r) => [r.id, r.user_id]));
  }

  /**
   * A session for someone another sign-in method vouched for (their institution's identity provider):
   * the same session, cookie and revocation as a password sign-in.
   */
  async openSessionFor(userId: string): Promise<SessionDto & { refreshToken: string }> {
    const user = await this.db.getRepository(User).findOneByOrFail({ id: userId });
    return { user: toUserDto(user), ...(await this.startSession(user.id)) };
  }

  /** Tells this process and the realtime layer that these sessions, already revoked in the database, have ended. */
  sessionsEnded(userId: string, sessionIds: string[]): void {
    if (sessionIds.length) this.revoked(userId, sessionIds);
  }

  private revoked(userId: string, sessionIds: string[]): void {
    this.revocations.revoke(sessionIds);
    this.events.emit('session.revoked', { userId, sessionIds });
  }

  /** Verifies an access token and that its session is still open. */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token) throw new AppError('UNAUTHENTICATED', 'Sign in first.');
    let claims: AccessClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessClaims>(token, { algorithms: ['HS256'] });
    } catch (err) {
      if ((err as Error).name === 'TokenExpiredError') throw new AppError('TOKEN_EXPIRED', 'The access token has expired.');
      throw new AppError('UNAUTHENTICATED', 'The access token is not valid.');
    }
    if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string') throw new AppError('UNAUTHENTICATED', 'The access token is not valid.');
    const open = this.revocations.status(claims.sid) !== 'revoked' && (await this.openSessions.isOpen(claims.sid, claims.sub));
    if (!open) throw new AppError('UNAUTHENTICATED', 'The session has ended. Sign in again.');
    this.revocations.markVerified(claims.sid);
    return { userId: claims.sub, sessionId: claims.sid };
  }

  async me(userId: string): Promise<UserDto> {
    const user = await this.db.getRepository(User).findOneBy({ id: userId });
    if (!user) throw new AppError('UNAUTHENTICATED', 'The account no longer exists.');
    return toUserDto(user);
  }

  private async startSession(userId: string): Promise<IssuedTokens> {
    return this.db.transaction(async (m) => {
      const session = await m.getRepository(AuthSession).save(m.getRepository(AuthSession).create({ userId, revokedAt: null }));
      return this.issueTokens(m.getRepository(RefreshToken), userId, session.id);
    });
  }

  private async issueTokens(repo: import('typeorm').Repository<RefreshToken>, userId: string, sessionId: string): Promise<IssuedTokens> {
    const refreshToken = randomBytes(32).toString('base64url');
    await repo.insert({
      sessionId,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + this.config.refreshTokenTtlDays * 86_400_000),
      usedAt: null,
    });
    const claims: AccessClaims = { sub: userId, sid: sessionId };
    const accessToken = await this.jwt.signAsync(claims, { expiresIn: this.config.accessTokenTtlSeconds, algorithm: 'HS256' });
    return { accessToken, refreshToken, expiresIn: this.config.accessTokenTtlSeconds };
  }
}
