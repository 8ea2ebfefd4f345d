import { Body, Controller, Get, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiTags } from '@nestjs/swagger';
import { CreateGuestPassBody, type GuestPassDto, type GuestRoomPreviewDto } from '../../contract';
import { ApiZodBody, UuidParam, ZodPipe } from '../../common/zod';
import { GuestPassService } from '../guests/guest-pass.service';
import { RoomsService } from './rooms.service';

/**
 * The way into a public webinar without an account. No sign-in here: what a guest can do afterwards is
 * limited by the pass itself (one room, attendee, the guest commands).
 */
@ApiTags('guests')
@Controller('api/rooms/:roomId')
export class GuestsController {
  constructor(
    private readonly rooms: RoomsService,
    private readonly guests: GuestPassService,
  ) {}

  /** What a guest sees before coming in; NOT_FOUND or GUESTS_NOT_ALLOWED for rooms that take no guests. */
  @Get('guest-preview')
  preview(@Param('roomId', UuidParam) roomId: string): Promise<GuestRoomPreviewDto> {
    return this.rooms.guestPreview(roomId);
  }

  /** A pass for this room; RATE_LIMITED past GUEST_PASSES_PER_ADDRESS from one address in the window. */
  @Post('guests')
  @ApiZodBody(CreateGuestPassBody)
  async create(@Param('roomId', UuidParam) roomId: string, @Body(new ZodPipe(CreateGuestPassBody)) body: CreateGuestPassBody, @Req() req: Request): Promise<GuestPassDto> {
    const room = await this.rooms.guestRoom(roomId);
    const displayName = body.displayName.trim();
    const pass = await this.guests.issue(room.id, displayName, req.ip ?? '');
    return { token: pass.token, roomId: room.id, displayName, expiresAt: pass.expiresAt.toISOString() };
  }
}
