import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import type {
  CreateOrganizationBody,
  InstitutionDto,
  InvitationDto,
  InvitationPreviewDto,
  InvitationSummaryDto,
  MemberDto,
  OrganizationDto,
  OrgRole,
  UpdateInstitutionBody,
} from '../../contract';
import type { z } from 'zod';
import type { CreateInstitutionBody as CreateInstitutionSchema, CreateInvitationBody as CreateInvitationSchema } from '../../contract';
import { DomainEvents, type OrgChange } from '../../common/domain-events';
import { AppError, isUniqueViolation } from '../../common/errors';
import { withinHourlyQuota } from '../../common/quota';
import { Delegate } from './delegate.entity';
import { Institution } from './institution.entity';
import { Invitation } from './invitation.entity';
import { defaultMaxUses, invitationStatus } from './invitation-status';
import { Membership } from './membership.entity';
import { can, type OrgAction, roleChangeAllowed } from './org-permissions';
import { Organization } from './organization.entity';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export type { MembershipChange, OrgChange } from '../../common/domain-events';

@Injectable()
export class OrganizationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: DomainEvents,
  ) {}

  /**
   * The caller's role, or NOT_FOUND when they are not a member: outsiders cannot even learn that an
   * organisation exists. Members lacking the permission get FORBIDDEN.
   */
  async authorize(userId: string, organizationId: string, action: OrgAction, m: EntityManager = this.db.manager): Promise<OrgRole> {
    const membership = await m.getRepository(Membership).findOneBy({ organizationId, userId });
    if (!membership) throw new AppError('NOT_FOUND', 'Organisation not found.');
    if (!can(membership.role, action)) throw new AppError('FORBIDDEN', 'Your role does not allow this.');
    return membership.role;
  }

  async listMine(userId: string): Promise<OrganizationDto[]> {
    const rows = await this.db
      .getRepository(Organization)
      .createQueryBuilder('o')
      .innerJoin(Membership, 'm', 'm.organization_id = o.id AND m.user_id = :userId', { userId })
      .addSelect('m.role', 'role')
      .orderBy('o.name', 'ASC')
      .getRawAndEntities();
    return rows.entities.map((o, i) => toOrgDto(o, rows.raw[i].role as OrgRole));
  }

  async create(userId: string, body: CreateOrganizationBody): Promise<OrganizationDto> {
    return this.db.transaction(async (m) => {
      await withinHourlyQuota(m, 'organizations', userId, this.config.limits.organizationsPerHour);
      const org = await m.getRepository(Organization).save(
        m.getRepository(Organization).create({ name: body.name, description: body.description ?? null, createdBy: userId }),
      );
      await m.getRepository(Membership).insert({ organizationId: org.id, userId, role: 'owner' });
      return toOrgDto(org, 'owner');
    });
  }

  async get(userId: string, organizationId: string): Promise<OrganizationDto> {
    const role = await this.authorize(userId, organizationId, 'org.view');
    const org = await this.db.getRepository(Organization).findOneByOrFail({ id: organizationId });
    return toOrgDto(org, role);
  }

  async members(userId: string, organizationId: string): Promise<MemberDto[]> {
    await this.authorize(userId, organizationId, 'members.view');
    const rows: { user_id: string; display_name: string; email: string; role: OrgRole; joined_at: Date }[] = await this.db.query(
      `SELECT m.user_id, u.display_name, u.email, m.role, m.joined_at
         FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.organization_id = $1 ORDER BY u.display_name`,
      [organizationId],
    );
    return rows.map((r) => ({ userId: r.user_id, displayName: r.display_name, email: r.email, role: r.role, joinedAt: r.joined_at.toISOString() }));
  }

  /** Role change or removal, serialised per organisation so two admins cannot both demote the last owners. */
  async changeMember(actorId: string, organizationId: string, targetId: string, next: OrgRole | 'removed'): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query('SELECT id FROM organizations WHERE id = $1 FOR UPDATE', [organizationId]);
      const actor = await this.authorize(actorId, organizationId, next === 'removed' ? 'members.remove' : 'members.changeRole', m);
      const target = await m.getRepository(Membership).findOneBy({ organizationId, userId: targetId });
      if (!target) throw new AppError('NOT_FOUND', 'This person is not a member.');
      const owners = await m.getRepository(Membership).countBy({ organizationId, role: 'owner' });
      const verdict = roleChangeAllowed(actor, target.role, next, owners);
      if (verdict === 'FORBIDDEN') throw new AppError('FORBIDDEN', 'Your role does not allow this change.');
      if (verdict === 'LAST_OWNER') throw new AppError('LAST_OWNER', 'An organisation needs at least one owner.');
      if (next === 'removed') {
        await m.query(
          `DELETE FROM institution_delegates d USING institutions i
            WHERE d.institution_id = i.id AND i.organization_id = $1 AND d.user_id = $2`,
          [organizationId, targetId],
        );
        await m.getRepository(Membership).delete({ organizationId, userId: targetId });
      } else {
        await m.getRepository(Membership).update({ organizationId, userId: targetId }, { role: next });
      }
    });
    this.events.emit('membership.changed', { organizationId, userId: targetId, role: next === 'removed' ? null : next });
    this.changed(organizationId, 'members');
  }

  async institutions(userId: string, organizationId: string): Promise<InstitutionDto[]> {
    await this.authorize(userId, organizationId, 'institutions.view');
    return this.loadInstitutions(organizationId);
  }

  async createInstitution(userId: string, organizationId: string, b: z.output<typeof CreateInstitutionSchema>): Promise<InstitutionDto> {
    await this.authorize(userId, organizationId, 'institutions.manage');
    try {
      const row = await this.db.getRepository(Institution).save(this.db.getRepository(Institution).create({ organizationId, ...b }));
      this.changed(organizationId, 'institutions');
      return { id: row.id, organizationId, name: row.name, country: row.country, voteWeight: row.voteWeight, delegates: [] };
    } catch (err) {
      if (isUniqueViolation(err, 'uq_institutions_org_name')) throw new AppError('CONFLICT', 'An institution with this name already exists.');
      throw err;
    }
  }

  async updateInstitution(userId: string, organizationId: string, institutionId: string, body: UpdateInstitutionBody): Promise<InstitutionDto> {
    await this.authorize(userId, organizationId, 'institutions.manage');
    await this.institutionOf(organizationId, institutionId);
    try {
      await this.db.getRepository(Institution).update({ id: institutionId, organizationId }, body);
    } catch (err) {
      if (isUniqueViolation(err, 'uq_institutions_org_name')) throw new AppError('CONFLICT', 'An institution with this name already exists.');
      throw err;
    }
    this.changed(organizationId, 'institutions');
    return this.oneInstitution(organizationId, institutionId);
  }

  async deleteInstitution(userId: string, organizationId: string, institutionId: string): Promise<void> {
    await this.authorize(userId, organizationId, 'institutions.manage');
    await this.institutionOf(organizationId, institutionId);
    await this.db.getRepository(Institution).delete({ id: institutionId, organizationId });
    this.changed(organizationId, 'institutions');
  }

  /** A delegate must be a member of the organisation. */
  async addDelegate(userId: string, organizationId: string, institutionId: string, delegateId: string): Promise<InstitutionDto> {
    await this.authorize(userId, organizationId, 'delegates.manage');
    await this.institutionOf(organizationId, institutionId);
    const member = await this.db.getRepository(Membership).existsBy({ organizationId, userId: delegateId });
    if (!member) throw new AppError('NOT_FOUND', 'A delegate must be a member of the organisation.');
    await this.db.getRepository(Delegate).upsert({ institutionId, userId: delegateId }, ['institutionId', 'userId']);
    this.changed(organizationId, 'institutions');
    return this.oneInstitution(organizationId, institutionId);
  }

  async removeDelegate(userId: string, organizationId: string, institutionId: string, delegateId: string): Promise<void> {
    await this.authorize(userId, organizationId, 'delegates.manage');
    await this.institutionOf(organizationId, institutionId);
    const r = await this.db.getRepository(Delegate).delete({ institutionId, userId: delegateId });
    if (!r.affected) throw new AppError('NOT_FOUND', 'This person is not a delegate of the institution.');
    this.changed(organizationId, 'institutions');
  }

  async createInvitation(userId: string, organizationId: string, b: z.output<typeof CreateInvitationSchema>): Promise<InvitationDto> {
    await this.authorize(userId, organizationId, 'invitations.manage');
    const institution = b.institutionId ? await this.institutionOf(organizationId, b.institutionId) : null;
    const token = randomBytes(24).toString('base64url');
    const expiresAt = new Date(Date.now() + b.expiresInHours * 3_600_000);
    const maxUses = defaultMaxUses(b);
    const row = await this.db.getRepository(Invitation).save(
      this.db.getRepository(Invitation).create({
        organizationId,
        tokenHash: sha256(token),
        role: b.role,
        institutionId: institution?.id ?? null,
        createdBy: userId,
        expiresAt,
        revokedAt: null,
        maxUses,
        inviteeEmail: b.inviteeEmail ?? null,
        inviteeName: b.inviteeName ?? null,
      }),
    );
    this.changed(organizationId, 'invitations');
    return {
      id: row.id,
      token,
      url: `${this.config.publicUrl}/invite/${token}`,
      role: b.role,
      institutionId: institution?.id ?? null,
      institutionName: institution?.name ?? null,
      inviteeEmail: row.inviteeEmail,
      inviteeName: row.inviteeName,
      expiresAt: expiresAt.toISOString(),
      maxUses,
    };
  }

  /** Every link of the organisation, newest first, revoked, used and expired ones included. */
  async listInvitations(userId: string, organizationId: string): Promise<InvitationSummaryDto[]> {
    await this.authorize(userId, organizationId, 'invitations.manage');
    const rows: {
      id: string;
      role: 'admin' | 'member';
      institution_id: string | null;
      institution_name: string | null;
      invitee_email: string | null;
      invitee_name: string | null;
      created_at: Date;
      expires_at: Date;
      revoked_at: Date | null;
      max_uses: number | null;
      accepted_count: number;
      used_by_id: string | null;
      used_by_name: string | null;
    }[] = await this.db.query(
      `SELECT i.id, i.role, i.institution_id, inst.name AS institution_name, i.invitee_email, i.invitee_name,
              i.created_at, i.expires_at, i.revoked_at, i.max_uses, i.accepted_count,
              u.id AS used_by_id, u.display_name AS used_by_name
         FROM invitations i
         LEFT JOIN institutions inst ON inst.id = i.institution_id
         LEFT JOIN users u ON u.id = i.last_used_by
        WHERE i.organization_id = $1
        ORDER BY i.created_at DESC
        LIMIT 500`,
      [organizationId],
    );
    const now = Date.now();
    return rows.map((i) => ({
      id: i.id,
      role: i.role,
      institutionId: i.institution_id,
      institutionName: i.institution_name,
      inviteeEmail: i.invitee_email,
      inviteeName: i.invitee_name,
      createdAt: i.created_at.toISOString(),
      expiresAt: i.expires_at.toISOString(),
      revokedAt: i.revoked_at?.toISOString() ?? null,
      maxUses: i.max_uses,
      uses: i.accepted_count,
      status: invitationStatus({ revokedAt: i.revoked_at, expiresAt: i.expires_at, maxUses: i.max_uses, acceptedCount: i.accepted_count }, now),
      usedBy: i.used_by_id ? { userId: i.used_by_id, displayName: i.used_by_name ?? '' } : null,
    }));
  }

  /** From now on the link answers INVITE_REVOKED (HTTP 410). Idempotent. */
  async revokeInvitation(userId: string, organizationId: string, invitationId: string): Promise<void> {
    await this.authorize(userId, organizationId, 'invitations.manage');
    const inv = await this.db.getRepository(Invitation).findOneBy({ id: invitationId, organizationId });
    if (!inv) throw new AppError('NOT_FOUND', 'Invitation not found.');
    if (!inv.revokedAt) await this.db.getRepository(Invitation).update({ id: inv.id }, { revokedAt: new Date() });
    this.changed(organizationId, 'invitations');
  }

  async previewInvitation(token: string): Promise<InvitationPreviewDto> {
    const inv = await this.usableInvitation(this.db.manager, token);
    const org = await this.db.getRepository(Organization).findOneByOrFail({ id: inv.organizationId });
    const inst = inv.institutionId ? await this.db.getRepository(Institution).findOneBy({ id: inv.institutionId }) : null;
    return {
      organizationId: org.id,
      organizationName: org.name,
      role: inv.role,
      institutionName: inst?.name ?? null,
      inviteeName: inv.inviteeName,
      personal: inv.inviteeEmail !== null,
      expiresAt: inv.expiresAt.toISOString(),
    };
  }

  /**
   * Joining through a link; a current member gets ALREADY_MEMBER and keeps their role. A personal link
   * answers INVITE_NOT_FOR_YOU to any other account, and stays usable by its invitee.
   */
  async acceptInvitation(userId: string, token: string): Promise<{ organizationId: string }> {
    const organizationId = await this.db.transaction(async (m) => {
      const inv = await this.usableInvitation(m, token, true, userId);
      if (inv.inviteeEmail) {
        const [me] = (await m.query('SELECT email FROM users WHERE id = $1', [userId])) as { email: string }[];
        if (me?.email !== inv.inviteeEmail) throw new AppError('INVITE_NOT_FOR_YOU', 'This invitation is for someone else. Sign in with the invited address.');
      }
      const existing = await m.getRepository(Membership).findOneBy({ organizationId: inv.organizationId, userId });
      if (existing) throw new AppError('ALREADY_MEMBER', 'You are already a member of this organisation.');
      await m.getRepository(Membership).insert({ organizationId: inv.organizationId, userId, role: inv.role });
      if (inv.institutionId) await m.getRepository(Delegate).insert({ institutionId: inv.institutionId, userId });
      await m.query('UPDATE invitations SET accepted_count = accepted_count + 1, last_used_by = $2 WHERE id = $1', [inv.id, userId]);
      return inv.organizationId;
    });
    this.changed(organizationId, 'members');
    this.changed(organizationId, 'invitations');
    return { organizationId };
  }

  async isMember(userId: string, organizationId: string): Promise<boolean> {
    return (await this.roleIn(userId, organizationId)) !== null;
  }

  async roleIn(userId: string, organizationId: string): Promise<OrgRole | null> {
    return (await this.db.getRepository(Membership).findOneBy({ organizationId, userId }))?.role ?? null;
  }

  /** `caller`: a member coming back through a link that is used up (often their own) is told they are in already. */
  private async usableInvitation(m: EntityManager, token: string, lock = false, caller?: string): Promise<Invitation> {
    const qb = m.getRepository(Invitation).createQueryBuilder('i').where('i.token_hash = :h', { h: sha256(token) });
    const inv = await (lock ? qb.setLock('pessimistic_write') : qb).getOne();
    if (!inv) throw new AppError('INVITE_INVALID', 'This invitation link is not valid.');
    if (inv.revokedAt) throw new AppError('INVITE_REVOKED', 'This invitation link has been revoked.');
    if (inv.expiresAt.getTime() <= Date.now()) throw new AppError('INVITE_EXPIRED', 'This invitation link has expired.');
    if (inv.maxUses !== null && inv.acceptedCount >= inv.maxUses) {
      if (caller && (await m.getRepository(Membership).existsBy({ organizationId: inv.organizationId, userId: caller }))) {
        throw new AppError('ALREADY_MEMBER', 'You are already a member of this organisation.');
      }
      throw new AppError('INVITE_USED_UP', 'This invitation link has been used as many times as allowed.');
    }
    return inv;
  }

  private async institutionOf(organizationId: string, institutionId: string): Promise<Institution> {
    const inst = await this.db.getRepository(Institution).findOneBy({ id: institutionId, organizationId });
    if (!inst) throw new AppError('NOT_FOUND', 'Institution not found.');
    return inst;
  }

  private async oneInstitution(organizationId: string, institutionId: string): Promise<InstitutionDto> {
    const [one] = await this.loadInstitutions(organizationId, institutionId);
    if (!one) throw new AppError('NOT_FOUND', 'Institution not found.');
    return one;
  }

  private async loadInstitutions(organizationId: string, institutionId?: string): Promise<InstitutionDto[]> {
    const rows: { id: string; name: string; country: string; vote_weight: number; delegates: { userId: string; displayName: string }[] }[] =
      await this.db.query(
        `SELECT i.id, i.name, i.country, i.vote_weight,
                COALESCE(json_agg(json_build_object('userId', u.id, 'displayName', u.display_name) ORDER BY u.display_name)
                         FILTER (WHERE u.id IS NOT NULL), '[]') AS delegates
           FROM institutions i
           LEFT JOIN institution_delegates d ON d.institution_id = i.id
           LEFT JOIN users u ON u.id = d.user_id
          WHERE i.organization_id = $1 AND ($2::uuid IS NULL OR i.id = $2::uuid)
          GROUP BY i.id ORDER BY i.name`,
        [organizationId, institutionId ?? null],
      );
    return rows.map((r) => ({ id: r.id, organizationId, name: r.name, country: r.country, voteWeight: r.vote_weight, delegates: r.delegates }));
  }

  private changed(organizationId: string, what: OrgChange['what']): void {
    this.events.emit('organization.changed', { organizationId, what });
  }
}

const toOrgDto = (o: Organization, myRole: OrgRole): OrganizationDto => ({
  id: o.id,
  name: o.name,
  description: o.description,
  myRole,
  createdAt: o.createdAt.toISOString(),
});
