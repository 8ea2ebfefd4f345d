import { Controller, Get, Param, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { UuidParam } from '../../common/zod';
import { AuthGuard, CurrentPrincipal } from '../identity/auth.guard';
import type { Principal } from '../identity/identity.service';
import { PollsService } from './polls.service';

@ApiTags('polls')
@ApiBearerAuth()
@Controller('api/rooms')
@UseGuards(AuthGuard)
export class PollsController {
  constructor(private readonly polls: PollsService) {}

  /** Counts per option; for a named poll also who chose what. Organisers of the room only. */
  @Get(':roomId/polls/:pollId/results.csv')
  @ApiProduces('text/csv')
  async resultsCsv(
    @CurrentPrincipal() p: Principal,
    @Param('roomId', UuidParam) roomId: string,
    @Param('pollId', UuidParam) pollId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const csv = await this.polls.exportCsv(p.userId, roomId, pollId);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="poll-${pollId}.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    return csv;
  }
}
