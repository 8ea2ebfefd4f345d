import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { DataSource, type EntityManager } from 'typeorm';
import type { IdentityProviderDto, InstitutionalSignInOption, OrgIdentityProviderDto, SessionDto } from '../../contract';
import type { IdentityProviderBody as IdentityProviderSchema } from '../../contract';
import { DomainEvents } from '../../common/domain-events';
import { AppError, isUniqueViolation } from '../../common/errors';
import { LOGGER } from '../../common/logging';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { Sealer } from '../governance/seal';
import { IdentityService, unusablePasswordHash } from '../identity/identity.service';
import { OrganizationsService } from '../organizations/organizations.service';
import { decideLink, type LinkDecision } from './account-link';
import { OidcProtocol } from './oidc-protocol';
import type { ProviderSettings, SignInProtocol, VerifiedIdentity } from './provider-protocol';

/** How long a started sign-in may take at the provider (typing a password, a second factor). */
const SIGN_IN_TTL_MINUTES = 10;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
/** What openid-client's random state looks like (base64url, 32 bytes); anything else is not ours. */
const STATE = /^[A-Za-z0-9_-]{20,200}$/;

interface ProviderRow {
  id: string;
  organization_id: string;
  organization_name: string;
  slug: string;
  protocol: 'oidc';
  issuer: string;
  client_id: string;
  client_secret_sealed: string;
  scopes: string;
  email_claim: string;
  join_as_member: boolean;
  updated_at: Date;
}

interface SignInRow {
  provider_id: string;
  browser_hash: string;
  nonce: string;
  code_verifier: string;
  return_to: string;
  expires_at: Date;
  used_at: Date | null;
}

export interface CompletedSignIn {
  session: SessionDto & { refreshToken: string };
  returnTo: string;
}

/**
 * Sign-in through an organisation's identity provider. The protocol (OpenID Connect today) proves who
 * the person is; this service keeps each sign-in single-use and bound to the browser that started it,
 * links the identity to an account (account-link.ts) and opens an ordinary Quorum session.
 */
@Injectable()
export class InstitutionalSignInService {
  private readonly sealer: Sealer;
  private readonly protocols: Record<ProviderRow['protocol'], SignInProtocol>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly orgs: OrganizationsService,
    private readonly identity: IdentityService,
    private readonly events: DomainEvents,
  ) {
    // A key of its own, derived from the ballot seal key: a client secret opened never says anything about ballots.
    this.sealer = new Sealer(
      Buffer.from(hkdfSync('sha256', config.ballotSealKey, Buffer.alloc(0), 'quorum/identity-provider-secrets', 32)),
    );
    this.protocols = { oidc: new OidcProtocol(config.env !== 'production') };
  }

  get redirectUri(): string {
    return `${this.config.publicUrl}/api/auth/oidc/callback`;
  }

  /* ---------- the organisation's settings ---------- */

  async getProvider(userId: string, organizationId: string): Promise<OrgIdentityProviderDto> {
    await this.orgs.authorize(userId, organizationId, 'signIn.manage');
    const row = await this.providerWhere('p.organization_id = $1', organizationId);
    return { provider: row ? this.toDto(row) : null };
  }

  async saveProvider(userId: string, organizationId: string, body: z.output<typeof IdentityProviderSchema>): Promise<IdentityProviderDto> {
    await this.orgs.authorize(userId, organizationId, 'signIn.manage');
    try {
      // Serialised per organisation: two saves at once would otherwise trip over the slug's unique index.
      await this.db.transaction(async (m) => {
        await m.query('SELECT id FROM organizations WHERE id = $1 FOR UPDATE', [organizationId]);
        const [existing] = (await m.query('SELECT client_secret_sealed FROM identity_providers WHERE organization_id = $1', [
          organizationId,
        ])) as {
          client_secret_sealed: string;
        }[];
        if (!existing && !body.clientSecret) {
          throw new AppError('INVALID_PAYLOAD', 'Enter the client secret.', [
            { path: 'clientSecret', message: 'required', code: 'invalid_type' },
          ]);
        }
        const sealed = body.clientSecret ? this.sealer.seal(body.clientSecret).toString('base64') : existing!.client_secret_sealed;
        await m.query(
          `INSERT INTO identity_providers (organization_id, slug, issuer, client_id, client_secret_sealed, scopes, email_claim, join_as_member)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (organization_id) DO UPDATE SET
             slug = EXCLUDED.slug, issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id,
             client_secret_sealed = EXCLUDED.client_secret_sealed, scopes = EXCLUDED.scopes,
             email_claim = EXCLUDED.email_claim, join_as_member = EXCLUDED.join_as_member, updated_at = now()`,
          [organizationId, body.slug, body.issuer, body.clientId, sealed, body.scopes, body.emailClaim, body.joinAsMember],
        );
      });
    } catch (err) {
      if (isUniqueViolation(err, 'uq_identity_providers_slug')) throw new AppError('SLUG_TAKEN', 'Another organisation uses this address.');
      throw err;
    }
    this.logger.info(
      { event: 'identity-provider-saved', organizationId, by: userId, issuer: body.issuer, secretChanged: !!body.clientSecret },
      'identity provider saved',
    );
    return this.toDto((await this.providerWhere('p.organization_id = $1', organizationId))!);
  }

  async deleteProvider(userId: string, organizationId: string): Promise<void> {
    await this.orgs.authorize(userId, organizationId, 'signIn.manage');
    await this.db.query(`DELETE FROM identity_providers WHERE organization_id = $1`, [organizationId]);
    this.logger.info({ event: 'identity-provider-removed', organizationId, by: userId }, 'identity provider removed');
  }

  /* ---------- signing in ---------- */

  /** The "Sign in with …" buttons: organisations that have set up their provider. */
  async options(): Promise<InstitutionalSignInOption[]> {
    const rows: { slug: string; name: string }[] = await this.db.query(
      `SELECT p.slug, o.name FROM identity_providers p JOIN organizations o ON o.id = p.organization_id ORDER BY o.name`,
    );
    return rows.map((r) => ({ slug: r.slug, organizationName: r.name, startPath: `/api/auth/oidc/${r.slug}/start` }));
  }

  /**
   * Starts a sign-in: the provider's address to send the browser to, and a token for the browser to
   * keep in a cookie; the callback is accepted only from the browser holding it.
   */
  async begin(slug: string, returnTo: string): Promise<{ url: string; browserToken: string }> {
    const provider = await this.providerWhere('p.slug = $1', slug);
    if (!provider) throw new AppError('NOT_FOUND', 'No organisation signs in at this address.');
    const { url, secrets } = await this.protocols[provider.protocol].begin(this.settings(provider), this.redirectUri);
    const browserToken = randomBytes(32).toString('base64url');
    // Used and expired records are kept a day, so a replayed callback is told apart from a made-up one.
    await this.db.query(`DELETE FROM institutional_sign_ins WHERE expires_at < now() - interval '1 day'`);
    await this.db.query(
      `INSERT INTO institutional_sign_ins (state_hash, provider_id, browser_hash, nonce, code_verifier, return_to, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(mins => $7))`,
      [sha256(secrets.state), provider.id, sha256(browserToken), secrets.nonce, secrets.codeVerifier, returnTo, SIGN_IN_TTL_MINUTES],
    );
    return { url, browserToken };
  }

  /**
   * The provider's answer. The sign-in record is spent before the provider is asked anything, so a
   * callback URL works once, whatever its outcome.
   */
  async complete(callbackUrl: URL, browserToken: string | undefined): Promise<CompletedSignIn> {
    const state = callbackUrl.searchParams.get('state');
    if (!state || !STATE.test(state)) throw new AppError('SIGN_IN_STATE_INVALID', 'This sign-in link is not valid. Start again.');
    const [row] = (await this.db.query(`SELECT * FROM institutional_sign_ins WHERE state_hash = $1`, [sha256(state)])) as SignInRow[];
    if (!row) throw new AppError('SIGN_IN_STATE_INVALID', 'This sign-in link is not valid. Start again.');
    if (row.used_at) throw new AppError('SIGN_IN_STATE_USED', 'This sign-in link was already used. Start again.');
    if (row.expires_at.getTime() <= Date.now()) throw new AppError('SIGN_IN_STATE_INVALID', 'This sign-in took too long. Start again.');
    // Another browser's callback (a link sent to someone to sign them in as somebody else) is refused.
    if (!browserToken || sha256(browserToken) !== row.browser_hash)
      throw new AppError('SIGN_IN_STATE_INVALID', 'This sign-in was started in another browser. Start again.');
    const [spent] = (await this.db.query(
      `UPDATE institutional_sign_ins SET used_at = now() WHERE state_hash = $1 AND used_at IS NULL RETURNING state_hash`,
      [sha256(state)],
    )) as [unknown[], number];
    if (!spent.length) throw new AppError('SIGN_IN_STATE_USED', 'This sign-in link was already used. Start again.');

    const provider = await this.providerWhere('p.id = $1', row.provider_id);
    if (!provider) throw new AppError('SIGN_IN_STATE_INVALID', 'This organisation no longer signs in here.');
    const identity = await this.protocols[provider.protocol].complete(this.settings(provider), callbackUrl, {
      state,
      nonce: row.nonce,
      codeVerifier: row.code_verifier,
    });
    const userId = await this.linkWithRetry(provider, identity);
    return { session: await this.identity.openSessionFor(userId), returnTo: row.return_to };
  }

  /** Two first sign-ins of one person at once: the loser of the unique constraint finds the winner's link. */
  private async linkWithRetry(provider: ProviderRow, identity: VerifiedIdentity): Promise<string> {
    try {
      return await this.link(provider, identity);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return this.link(provider, identity);
    }
  }

  private async link(provider: ProviderRow, identity: VerifiedIdentity): Promise<string> {
    const outcome = await this.db.transaction(async (m) => {
      const [bySubject] = (await m.query(`SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2`, [
        identity.issuer,
        identity.subject,
      ])) as {
        user_id: string;
      }[];
      const [byEmail] = identity.email
        ? ((await m.query(`SELECT id, email_verified_at FROM users WHERE email = $1`, [identity.email])) as {
            id: string;
            email_verified_at: Date | null;
          }[])
        : [];
      const decision = decideLink(identity, {
        bySubject: bySubject ? { userId: bySubject.user_id } : null,
        byEmail: byEmail ? { userId: byEmail.id, emailProved: byEmail.email_verified_at !== null } : null,
      });
      const result = await this.apply(m, provider, identity, decision);
      const joined = provider.join_as_member ? await this.join(m, provider.organization_id, result.userId) : false;
      return { ...result, decision, joined };
    });
    if (outcome.endedSessions.length) this.identity.sessionsEnded(outcome.userId, outcome.endedSessions);
    if (outcome.joined) {
      this.events.emit('membership.changed', { organizationId: provider.organization_id, userId: outcome.userId, role: 'member' });
      this.events.emit('organization.changed', { organizationId: provider.organization_id, what: 'members' });
    }
    const log = {
      event: 'institutional-sign-in',
      providerId: provider.id,
      organizationId: provider.organization_id,
      userId: outcome.userId,
      issuer: identity.issuer,
    };
    if (outcome.decision.kind === 'subject') this.logger.info(log, 'signed in through the organisation’s identity provider');
    else
      this.logger.info(
        {
          ...log,
          event: 'institutional-identity-linked',
          linkedBy: outcome.decision.kind,
          claimedUnprovedAccount: outcome.decision.kind === 'verified-email' && outcome.decision.claim,
          joined: outcome.joined,
        },
        'identity linked to an account',
      );
    return outcome.userId;
  }

  private async apply(
    m: EntityManager,
    provider: ProviderRow,
    identity: VerifiedIdentity,
    decision: LinkDecision,
  ): Promise<{ userId: string; endedSessions: string[] }> {
    switch (decision.kind) {
      case 'refuse':
        throw new AppError(
          decision.code,
          decision.code === 'SIGN_IN_EMAIL_MISSING'
            ? 'Your institution did not send an e-mail address.'
            : 'An account with this e-mail address exists, and your institution has not confirmed that the address is yours.',
        );
      case 'subject':
        await m.query(`UPDATE user_identities SET last_sign_in_at = now() WHERE issuer = $1 AND subject = $2`, [
          identity.issuer,
          identity.subject,
        ]);
        return { userId: decision.userId, endedSessions: [] };
      case 'verified-email': {
        let endedSessions: string[] = [];
        if (decision.claim) {
          // Whoever created this account never proved the mailbox; its verified owner takes it over clean.
          await m.query(`UPDATE users SET password_hash = $2 WHERE id = $1`, [decision.userId, await unusablePasswordHash()]);
          await m.query(`DELETE FROM user_identities WHERE user_id = $1`, [decision.userId]);
          const [rows] = (await m.query(
            `UPDATE auth_sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`,
            [decision.userId],
          )) as [{ id: string }[], number];
          endedSessions = rows.map((r) => r.id);
        }
        await m.query(`UPDATE users SET email_verified_at = COALESCE(email_verified_at, now()) WHERE id = $1`, [decision.userId]);
        await this.insertIdentity(m, decision.userId, provider, identity, 'verified-email');
        return { userId: decision.userId, endedSessions };
      }
      case 'new-account': {
        const name = (identity.displayName ?? identity.email!.split('@')[0] ?? 'Member').slice(0, 80);
        const [user] = (await m.query(
          `INSERT INTO users (email, password_hash, display_name, email_verified_at) VALUES ($1, $2, $3, CASE WHEN $4 THEN now() END) RETURNING id`,
          [identity.email, await unusablePasswordHash(), name, identity.emailVerified],
        )) as { id: string }[];
        await this.insertIdentity(m, user!.id, provider, identity, 'new-account');
        return { userId: user!.id, endedSessions: [] };
      }
    }
  }

  private async insertIdentity(
    m: EntityManager,
    userId: string,
    provider: ProviderRow,
    identity: VerifiedIdentity,
    linkedBy: 'new-account' | 'verified-email',
  ): Promise<void> {
    await m.query(`INSERT INTO user_identities (user_id, provider_id, issuer, subject, linked_by) VALUES ($1, $2, $3, $4, $5)`, [
      userId,
      provider.id,
      identity.issuer,
      identity.subject,
      linkedBy,
    ]);
  }

  /** Membership by sign-in, when the organisation asked for it; an existing role is left as it is. */
  private async join(m: EntityManager, organizationId: string, userId: string): Promise<boolean> {
    const rows = (await m.query(
      `INSERT INTO memberships (organization_id, user_id, role) VALUES ($1, $2, 'member') ON CONFLICT DO NOTHING RETURNING user_id`,
      [organizationId, userId],
    )) as unknown[];
    return rows.length > 0;
  }

  /* ---------- rows ---------- */

  private async providerWhere(where: string, value: string): Promise<ProviderRow | undefined> {
    const [row] = (await this.db.query(
      `SELECT p.*, o.name AS organization_name FROM identity_providers p JOIN organizations o ON o.id = p.organization_id WHERE ${where}`,
      [value],
    )) as ProviderRow[];
    return row;
  }

  private settings(row: ProviderRow): ProviderSettings {
    return {
      id: row.id,
      issuer: row.issuer,
      clientId: row.client_id,
      clientSecret: this.sealer.open<string>(Buffer.from(row.client_secret_sealed, 'base64')),
      scopes: row.scopes,
      emailClaim: row.email_claim,
      version: row.updated_at.toISOString(),
    };
  }

  private toDto(row: ProviderRow): IdentityProviderDto {
    return {
      id: row.id,
      organizationId: row.organization_id,
      protocol: row.protocol,
      slug: row.slug,
      issuer: row.issuer,
      clientId: row.client_id,
      hasClientSecret: row.client_secret_sealed.length > 0,
      scopes: row.scopes,
      emailClaim: row.email_claim,
      joinAsMember: row.join_as_member,
      redirectUri: this.redirectUri,
      updatedAt: row.updated_at.toISOString(),
    };
  }
}
