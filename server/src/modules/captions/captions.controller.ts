import { Controller, Get, Param, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { captionLanguage, type CaptionedSessionDto, type CaptionLanguage } from '../../contract';
import { UuidParam, ZodPipe } from '../../common/zod';
import { AuthGuard, CurrentPrincipal } from '../identity/auth.guard';
import type { Principal } from '../identity/identity.service';
import { CaptionsService } from './captions.service';

/** Past sessions' captions: which sessions have them, and each one as WebVTT per language. */
@ApiTags('captions')
@ApiBearerAuth()
@Controller('api')
@UseGuards(AuthGuard)
export class CaptionsController {
  constructor(private readonly captions: CaptionsService) {}

  /** The room's sessions with captions you may download: those you attended, or all of them for organisers. */
  @Get('rooms/:roomId/captions')
  sessions(@CurrentPrincipal() p: Principal, @Param('roomId', UuidParam) roomId: string): Promise<CaptionedSessionDto[]> {
    return this.captions.sessions(p.userId, roomId);
  }

  /** One session's captions in one language as WebVTT (typed and automatic lines). */
  @Get('rooms/:roomId/sessions/:sessionId/captions/:language')
  @ApiProduces('text/vtt')
  async webVtt(
    @CurrentPrincipal() p: Principal,
    @Param('roomId', UuidParam) roomId: string,
    @Param('sessionId', UuidParam) sessionId: string,
    @Param('language', new ZodPipe(captionLanguage)) language: CaptionLanguage,
  ): Promise<StreamableFile> {
    await this.captions.authorizeSession(p.userId, roomId, sessionId);
    const vtt = Buffer.from(await this.captions.webVtt(sessionId, language), 'utf8');
    return new StreamableFile(vtt, { type: 'text/vtt; charset=utf-8', disposition: `attachment; filename="captions-${sessionId}-${language}.vtt"`, length: vtt.length });
  }
}
