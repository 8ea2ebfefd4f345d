import { Controller, Get, Header, Param, Query, Res, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { UuidParam, ZodPipe } from '../../common/zod';
import { AuthGuard, CurrentPrincipal } from '../identity/auth.guard';
import type { Principal } from '../identity/identity.service';
import { type MinutesFile, type MinutesFormat, MinutesService } from './minutes.service';

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};
/** An IANA time zone for the times printed in the PDF (the CSV is always UTC). */
const TimeZone = new ZodPipe(z.string().max(64).refine(isTimeZone, { message: 'an IANA time zone, e.g. Europe/Warsaw' }).default('UTC'));

/** The minutes of a meeting, for its chair, its secretary and the organisation's owners and admins. */
@ApiTags('governance')
@ApiBearerAuth()
@Controller('api')
@UseGuards(AuthGuard)
export class MinutesController {
  constructor(private readonly minutes: MinutesService) {}

  @Get('meetings/:meetingId/minutes.pdf')
  @ApiProduces('application/pdf')
  @ApiQuery({ name: 'tz', required: false, description: 'IANA time zone for the printed times; UTC by default' })
  @Header('Cache-Control', 'no-store')
  async pdf(@CurrentPrincipal() p: Principal, @Param('meetingId', UuidParam) id: string, @Query('tz', TimeZone) tz: string, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    return send(res, await this.minutes.generate(p.userId, id, 'pdf', tz));
  }

  @Get('meetings/:meetingId/minutes.csv')
  @ApiProduces('text/csv')
  @Header('Cache-Control', 'no-store')
  async csv(@CurrentPrincipal() p: Principal, @Param('meetingId', UuidParam) id: string, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    return send(res, await this.minutes.generate(p.userId, id, 'csv' satisfies MinutesFormat));
  }
}

/** The file, with its digest (RFC 9530) so a client can check what it received against the audit log. */
function send(res: Response, file: MinutesFile): StreamableFile {
  res.setHeader('Repr-Digest', `sha-256=:${Buffer.from(file.sha256, 'hex').toString('base64')}:`);
  return new StreamableFile(file.bytes, { type: file.contentType, disposition: `attachment; filename="${file.filename}"`, length: file.bytes.length });
}
