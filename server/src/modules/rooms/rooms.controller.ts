import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CreateRoomBody, CreateRoomInviteBody, UpdateRoomBody, type AttendanceDto, type RoomDto, type RoomInviteDto, type RoomInviteSummaryDto, type RoomPreviewDto, type RoomSessionDto } from '../../contract';
import { ApiZodBody, UuidParam, ZodPipe } from '../../common/zod';
import { AuthGuard, CurrentPrincipal } from '../identity/auth.guard';
import type { Principal } from '../identity/identity.service';
import { RoomsService } from './rooms.service';

const InviteQuery = new ZodPipe(z.string().regex(/^[A-Za-z0-9_-]{16,64}$/).optional());
const OptionalUuid = new ZodPipe(z.uuid().optional());
const Format = new ZodPipe(z.enum(['json', 'csv']).default('json'));

@ApiTags('rooms')
@ApiBearerAuth()
@Controller('api')
@UseGuards(AuthGuard)
export class RoomsController {
  constructor(private readonly rooms: RoomsService) {}

  @Get('organizations/:orgId/rooms')
  list(@CurrentPrincipal() p: Principal, @Param('orgId', UuidParam) orgId: string): Promise<RoomDto[]> {
    return this.rooms.list(p.userId, orgId);
  }

  @Post('organizations/:orgId/rooms')
  @ApiZodBody(CreateRoomBody)
  create(@CurrentPrincipal() p: Principal, @Param('orgId', UuidParam) orgId: string, @Body(new ZodPipe(CreateRoomBody)) body: z.output<typeof CreateRoomBody>): Promise<RoomDto> {
    return this.rooms.create(p.userId, orgId, body);
  }

  @Get('rooms/:roomId')
  @ApiQuery({ name: 'invite', required: false })
  preview(@CurrentPrincipal() p: Principal, @Param('roomId', UuidParam) roomId: string, @Query('invite', InviteQuery) invite?: string): Promise<RoomPreviewDto> {
    return this.rooms.preview(p.userId, roomId, invite);
  }

  @Patch('rooms/:roomId')
  @ApiZodBody(UpdateRoomBody)
  update(@CurrentPrincipal() p: Principal, @Param('roomId', UuidParam) roomId: string, @Body(new ZodPipe(UpdateRoomBody)) body: UpdateRoomBody): Promise<RoomDto> {
    return this.rooms.update(p.userId, roomId, body);
  }

  @Delete('rooms/:roomId')
  @HttpCode(204)
  async remove(@CurrentPrincipal() p: Principal, @Param('roomId', UuidParam) roomId: string): Promise<void> {
    await this.rooms.remove(p.userId, roomId);
  }

  @Get('rooms/:roomId/sessions')
  sessions(@CurrentPrincipal() p: Principal, @Param('roomId', UuidParam) roomId: string): Promise<RoomSessionDto[]> {
    return this.rooms.sessions(p.userId, roomId);
  }

  /** JSON, or CSV with `format=csv`. The latest session unless `sessionId` is given. */
  @Get('rooms/:roomId/attendance')
  @ApiQuery({ name: 'sessionId', required: false })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  async attendance(
    @CurrentPrincipal() p: Principal,
    @Param('roomId', UuidParam) roomId: string,
    @Query('sessionId', OptionalUuid) sessionId: string | undefined,
    @Query('format', Format) format: 'json' | 'csv',
    @Res({ passthrough: true }) res: Response,
  ): Promise<AttendanceDto | string> {
    const report = await this.rooms.attendance(p.userId, roomId, sessionId);
    if (format === 'json') return report;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="attendance-${report.sessionId}.csv"`);
    return this.rooms.attendanceCsv(report);
  }

  @Post('rooms/:roomId/invites')
  @ApiZodBody(CreateRoomInviteBody)
  invite(
    @CurrentPrincipal() p: Principal,
    @Param('roomId', UuidParam) roomId: string,
    @Body(new ZodPipe(CreateRoomInviteBody)) body: z.output<typeof CreateRoomInviteBody>,
  ): Promise<RoomInviteDto> {
    return this.rooms.createInvite(p.userId, roomId, body);
  }

  @Get('rooms/:roomId/invites')
  invites(@CurrentPrincipal() p: Principal, @Param('roomId', UuidParam) roomId: string): Promise<RoomInviteSummaryDto[]> {
    return this.rooms.listInvites(p.userId, roomId);
  }

  @Delete('rooms/:roomId/invites/:inviteId')
  @HttpCode(204)
  async revokeInvite(@CurrentPrincipal() p: Principal, @Param('roomId', UuidParam) roomId: string, @Param('inviteId', UuidParam) inviteId: string): Promise<void> {
    await this.rooms.revokeInvite(p.userId, roomId, inviteId);
  }
}
