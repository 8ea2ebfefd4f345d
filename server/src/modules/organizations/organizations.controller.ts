import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  AddDelegateBody,
  CreateInstitutionBody,
  CreateInvitationBody,
  CreateOrganizationBody,
  UpdateInstitutionBody,
  UpdateMemberBody,
  type InstitutionDto,
  type InvitationDto,
  type InvitationPreviewDto,
  type InvitationSummaryDto,
  type MemberDto,
  type OrganizationDto,
} from '../../contract';
import { ApiZodBody, UuidParam, ZodPipe } from '../../common/zod';
import { AuthGuard, CurrentPrincipal } from '../identity/auth.guard';
import type { Principal } from '../identity/identity.service';
import { OrganizationsService } from './organizations.service';
import { z } from 'zod';

@ApiTags('organizations')
@ApiBearerAuth()
@Controller('api/organizations')
@UseGuards(AuthGuard)
export class OrganizationsController {
  constructor(private readonly orgs: OrganizationsService) {}

  @Get()
  list(@CurrentPrincipal() p: Principal): Promise<OrganizationDto[]> {
    return this.orgs.listMine(p.userId);
  }

  @Post()
  @ApiZodBody(CreateOrganizationBody)
  create(@CurrentPrincipal() p: Principal, @Body(new ZodPipe(CreateOrganizationBody)) body: CreateOrganizationBody): Promise<OrganizationDto> {
    return this.orgs.create(p.userId, body);
  }

  @Get(':orgId')
  get(@CurrentPrincipal() p: Principal, @Param('orgId', UuidParam) orgId: string): Promise<OrganizationDto> {
    return this.orgs.get(p.userId, orgId);
  }

  @Get(':orgId/members')
  members(@CurrentPrincipal() p: Principal, @Param('orgId', UuidParam) orgId: string): Promise<MemberDto[]> {
    return this.orgs.members(p.userId, orgId);
  }

  @Patch(':orgId/members/:userId')
  @HttpCode(204)
  @ApiZodBody(UpdateMemberBody)
  async changeRole(
    @CurrentPrincipal() p: Principal,
    @Param('orgId', UuidParam) orgId: string,
    @Param('userId', UuidParam) userId: string,
    @Body(new ZodPipe(UpdateMemberBody)) body: UpdateMemberBody,
  ): Promise<void> {
    await this.orgs.changeMember(p.userId, orgId, userId, body.role);
  }

  @Delete(':orgId/members/:userId')
  @HttpCode(204)
  async removeMember(@CurrentPrincipal() p: Principal, @Param('orgId', UuidParam) orgId: string, @Param('userId', UuidParam) userId: string): Promise<void> {
    await this.orgs.changeMember(p.userId, orgId, userId, 'removed');
  }

  @Get(':orgId/institutions')
  institutions(@CurrentPrincipal() p: Principal, @Param('orgId', UuidParam) orgId: string): Promise<InstitutionDto[]> {
    return this.orgs.institutions(p.userId, orgId);
  }

  @Post(':orgId/institutions')
  @ApiZodBody(CreateInstitutionBody)
  createInstitution(
    @CurrentPrincipal() p: Principal,
    @Param('orgId', UuidParam) orgId: string,
    @Body(new ZodPipe(CreateInstitutionBody)) body: z.output<typeof CreateInstitutionBody>,
  ): Promise<InstitutionDto> {
    return this.orgs.createInstitution(p.userId, orgId, body);
  }

  @Patch(':orgId/institutions/:institutionId')
  @ApiZodBody(UpdateInstitutionBody)
  updateInstitution(
    @CurrentPrincipal() p: Principal,
    @Param('orgId', UuidParam) orgId: string,
    @Param('institutionId', UuidParam) institutionId: string,
    @Body(new ZodPipe(UpdateInstitutionBody)) body: UpdateInstitutionBody,
  ): Promise<InstitutionDto> {
    return this.orgs.updateInstitution(p.userId, orgId, institutionId, body);
  }

  @Delete(':orgId/institutions/:institutionId')
  @HttpCode(204)
  async deleteInstitution(
    @CurrentPrincipal() p: Principal,
    @Param('orgId', UuidParam) orgId: string,
    @Param('institutionId', UuidParam) institutionId: string,
  ): Promise<void> {
    await this.orgs.deleteInstitution(p.userId, orgId, institutionId);
  }

  @Post(':orgId/institutions/:institutionId/delegates')
  @ApiZodBody(AddDelegateBody)
  addDelegate(
    @CurrentPrincipal() p: Principal,
    @Param('orgId', UuidParam) orgId: string,
    @Param('institutionId', UuidParam) institutionId: string,
    @Body(new ZodPipe(AddDelegateBody)) body: AddDelegateBody,
  ): Promise<InstitutionDto> {
    return this.orgs.addDelegate(p.userId, orgId, institutionId, body.userId);
  }

  @Delete(':orgId/institutions/:institutionId/delegates/:userId')
  @HttpCode(204)
  async removeDelegate(
    @CurrentPrincipal() p: Principal,
    @Param('orgId', UuidParam) orgId: string,
    @Param('institutionId', UuidParam) institutionId: string,
    @Param('userId', UuidParam) userId: string,
  ): Promise<void> {
    await this.orgs.removeDelegate(p.userId, orgId, institutionId, userId);
  }

  @Post(':orgId/invitations')
  @ApiZodBody(CreateInvitationBody)
  invite(
    @CurrentPrincipal() p: Principal,
    @Param('orgId', UuidParam) orgId: string,
    @Body(new ZodPipe(CreateInvitationBody)) body: z.output<typeof CreateInvitationBody>,
  ): Promise<InvitationDto> {
    return this.orgs.createInvitation(p.userId, orgId, body);
  }

  @Get(':orgId/invitations')
  invitations(@CurrentPrincipal() p: Principal, @Param('orgId', UuidParam) orgId: string): Promise<InvitationSummaryDto[]> {
    return this.orgs.listInvitations(p.userId, orgId);
  }

  @Delete(':orgId/invitations/:invitationId')
  @HttpCode(204)
  async revokeInvitation(@CurrentPrincipal() p: Principal, @Param('orgId', UuidParam) orgId: string, @Param('invitationId', UuidParam) invitationId: string): Promise<void> {
    await this.orgs.revokeInvitation(p.userId, orgId, invitationId);
  }
}

const InviteToken = new ZodPipe(z.string().regex(/^[A-Za-z0-9_-]{16,64}$/));

@ApiTags('organizations')
@Controller('api/invitations')
export class InvitationsController {
  constructor(private readonly orgs: OrganizationsService) {}

  @Get(':token')
  preview(@Param('token', InviteToken) token: string): Promise<InvitationPreviewDto> {
    return this.orgs.previewInvitation(token);
  }

  @Post(':token/accept')
  @HttpCode(200)
  @ApiBearerAuth()
  @UseGuards(AuthGuard)
  accept(@CurrentPrincipal() p: Principal, @Param('token', InviteToken) token: string): Promise<{ organizationId: string }> {
    return this.orgs.acceptInvitation(p.userId, token);
  }
}
