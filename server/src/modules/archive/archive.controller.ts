import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  Patch,
  type PipeTransform,
  Post,
  Put,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  type ArchivePolicyDto,
  ArchivePolicyBody,
  DeleteRecordingBody,
  RECORDING_LIST_PARAMS,
  type RecordingDto,
  RecordingListQuery,
  type RecordingSummaryDto,
  UpdateRecordingBody,
} from '../../contract';
import { AppError } from '../../common/errors';
import { LOGGER } from '../../common/logging';
import { ApiZodBody, UuidParam, ZodPipe } from '../../common/zod';
import { MaybePrincipal, OptionalAuthGuard } from '../events/optional-auth.guard';
import { AuthGuard, CurrentPrincipal } from '../identity/auth.guard';
import type { Principal } from '../identity/identity.service';
import { ANONYMOUS, ArchiveService, type ServedFile, type Viewer } from './archive.service';
import { bagStream } from './bag-package';
import { ExportGate } from './export-gate';
import { rangeOf } from './http-range';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A recording's id in a path; anything else names no recording (RECORDING_NOT_FOUND), never an error of ours. */
const RecordingIdParam: PipeTransform<string, string> = {
  transform(value: string): string {
    if (!UUID.test(value)) throw new AppError('RECORDING_NOT_FOUND', 'Recording not found.');
    return value.toLowerCase();
  },
};
const FileIdParam: PipeTransform<string, string> = {
  transform(value: string): string {
    if (!UUID.test(value)) throw new AppError('NOT_FOUND', 'This recording has no such file.');
    return value.toLowerCase();
  },
};
const ListQuery = new ZodPipe(RecordingListQuery);
/** The media token's own check says whether it is good (MEDIA_TOKEN_INVALID); here only its shape as a query value. */
const TokenQuery = new ZodPipe(z.string().min(1).max(600).optional());
const DownloadQuery = new ZodPipe(z.enum(['1']).optional());

/** Packages built at once on one node; a requester builds one at a time. */
const PACKAGES_AT_ONCE = 2;
const PACKAGE_RETRY_SECONDS = 10;

const viewerOf = (p: Principal | null): Viewer => (p ? { userId: p.userId, sessionId: p.sessionId } : ANONYMOUS);
const listQueries = () => (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
  for (const name of RECORDING_LIST_PARAMS) ApiQuery({ name, required: false })(target, key, descriptor);
};
const mediaQueries = () => (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
  ApiQuery({ name: 't', required: false, description: 'The media token a recording’s links carry' })(target, key, descriptor);
};

/**
 * The archive as anyone sees it: lists (per organisation, event and room), a recording's record and
 * its files (playlists, segments, MP4 with ranges, captions) and its preservation package. Signed out
 * or signed in; every answer goes through the one access rule (recording-access.ts).
 */
@ApiTags('archive')
@Controller('api')
@UseGuards(OptionalAuthGuard)
export class PublicArchiveController {
  /** Preservation packages being built on this node (each reads a whole recording twice). */
  private readonly packages = new ExportGate({ total: PACKAGES_AT_ONCE, perRequester: 1 });

  constructor(
    private readonly archive: ArchiveService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get('organizations/:orgId/recordings')
  @Header('Cache-Control', 'no-store')
  @listQueries()
  ofOrganization(
    @MaybePrincipal() p: Principal | null,
    @Param('orgId', UuidParam) orgId: string,
    @Query(ListQuery) q: RecordingListQuery,
  ): Promise<RecordingSummaryDto[]> {
    return this.archive.list(viewerOf(p), { organizationId: orgId }, q);
  }

  @Get('events/:eventId/recordings')
  @Header('Cache-Control', 'no-store')
  @listQueries()
  ofEvent(
    @MaybePrincipal() p: Principal | null,
    @Param('eventId', UuidParam) eventId: string,
    @Query(ListQuery) q: RecordingListQuery,
  ): Promise<RecordingSummaryDto[]> {
    return this.archive.list(viewerOf(p), { eventId }, q);
  }

  @Get('rooms/:roomId/recordings')
  @Header('Cache-Control', 'no-store')
  @listQueries()
  ofRoom(
    @MaybePrincipal() p: Principal | null,
    @Param('roomId', UuidParam) roomId: string,
    @Query(ListQuery) q: RecordingListQuery,
  ): Promise<RecordingSummaryDto[]> {
    return this.archive.list(viewerOf(p), { roomId }, q);
  }

  @Get('recordings/:recordingId')
  @Header('Cache-Control', 'no-store')
  get(@MaybePrincipal() p: Principal | null, @Param('recordingId', RecordingIdParam) id: string): Promise<RecordingDto> {
    return this.archive.get(viewerOf(p), id);
  }

  /** The Dublin Core record (oai_dc), for catalogues. */
  @Get('recordings/:recordingId/dublin-core.xml')
  @ApiProduces('application/xml')
  @Header('Cache-Control', 'no-store')
  async dublinCore(
    @MaybePrincipal() p: Principal | null,
    @Param('recordingId', RecordingIdParam) id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const xml = await this.archive.dublinCore(viewerOf(p), id);
    res.setHeader('Content-Type', 'application/xml; charset=utf-8');
    return xml;
  }

  /**
   * One registered file: a playlist (its URIs rewritten to served files carrying the viewer's token),
   * or bytes, with ranges (206) so players seek, and its SHA-256 as a strong ETag.
   */
  @Get('recordings/:recordingId/files/:fileId')
  @mediaQueries()
  @ApiQuery({ name: 'download', required: false, enum: ['1'] })
  async file(
    @MaybePrincipal() p: Principal | null,
    @Param('recordingId', RecordingIdParam) id: string,
    @Param('fileId', FileIdParam) fileId: string,
    @Query('t', TokenQuery) token: string | undefined,
    @Query('download', DownloadQuery) download: '1' | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const viewer = await this.archive.mediaViewer(viewerOf(p), id, token);
    const served = await this.archive.servedFile(viewer, id, fileId);
    if (/\.m3u8$/i.test(served.file.path) || /mpegurl/i.test(served.file.media_type)) {
      const text = await this.archive.servedPlaylist(viewer, served, await readFile(served.fullPath, 'utf8'));
      res.status(200).setHeader('Content-Type', 'application/vnd.apple.mpegurl; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      res.send(text);
      return;
    }
    await this.sendBytes(req, res, served, download === '1');
  }

  /** The BagIt package (tar), refused before a byte is sent when a file no longer matches its hash. */
  @Get('recordings/:recordingId/package')
  @ApiProduces('application/x-tar')
  @mediaQueries()
  async package(
    @MaybePrincipal() p: Principal | null,
    @Param('recordingId', RecordingIdParam) id: string,
    @Query('t', TokenQuery) token: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const viewer = await this.archive.mediaViewer(viewerOf(p), id, token);
    // One package at a time per person (or, signed out, per address), a few per node.
    const release = this.packages.enter(p ? `user:${p.userId}` : `address:${req.ip ?? 'unknown'}`);
    if (!release) {
      res.setHeader('Retry-After', String(PACKAGE_RETRY_SECONDS));
      throw new AppError('RATE_LIMITED', 'A package is already being prepared for you or for others; try again shortly.', {
        retryAfterSeconds: PACKAGE_RETRY_SECONDS,
      });
    }
    res.once('close', release);
    let input: Awaited<ReturnType<ArchiveService['bagInput']>>;
    try {
      input = await this.archive.bagInput(viewer, id);
    } catch (err) {
      release();
      throw err;
    }
    res.status(200);
    res.setHeader('Content-Type', 'application/x-tar');
    res.setHeader('Content-Disposition', `attachment; filename="${input.bagName}.tar"`);
    res.setHeader('Cache-Control', 'no-store');
    const started = Date.now();
    try {
      await pipeline(bagStream(input, new Date()), res);
      this.logger.info({ recordingId: id, files: input.files.length, ms: Date.now() - started }, 'recording package sent');
    } catch (err) {
      // Headers are gone: the only way left to say it failed is to cut the stream short.
      this.logger.error({ err, recordingId: id }, 'recording package stopped');
      res.destroy();
    } finally {
      release();
    }
  }

  private async sendBytes(req: Request, res: Response, served: ServedFile, download: boolean): Promise<void> {
    const { file, size } = served;
    const etag = `"${file.sha256}"`;
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('ETag', etag);
    res.setHeader('Content-Type', file.media_type);
    // Private: the next request is asked again, under the rule as it then stands; the bytes never change.
    res.setHeader('Cache-Control', 'private, max-age=3600');
    if (download) res.setHeader('Content-Disposition', `attachment; filename="${downloadName(served)}"`);
    if (req.headers['if-none-match'] === etag) {
      res.status(304).end();
      return;
    }
    const ifRange = req.headers['if-range'];
    const range = rangeOf(req.headers.range, size, typeof ifRange === 'string' ? ifRange : undefined, etag);
    if (range.kind === 'unsatisfiable') {
      res.setHeader('Content-Range', `bytes */${size}`);
      throw new AppError('RANGE_NOT_SATISFIABLE', 'The range asked for is outside the file.', { size });
    }
    const [start, end] = range.kind === 'part' ? [range.start, range.end] : [0, size - 1];
    if (range.kind === 'part') {
      res.status(206);
      res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    } else {
      res.status(200);
    }
    res.setHeader('Content-Length', String(Math.max(0, end - start + 1)));
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return;
    }
    try {
      await pipeline(createReadStream(served.fullPath, { start, end }), res);
    } catch (err) {
      // A viewer seeking away closes the connection mid-file: routine, not an error.
      if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE')
        this.logger.warn({ err, recordingId: served.row.id }, 'recording file stopped');
      res.destroy();
    }
  }
}

/** A download's file name: the recording's day and the file's own name, ASCII. */
function downloadName(served: ServedFile): string {
  const day = served.row.started_at.toISOString().slice(0, 10);
  const base = served.file.path.split('/').pop() ?? 'file';
  const safe = base.replace(/[^\w.-]+/g, '_').slice(-80) || 'file';
  const lang = served.file.language && !safe.includes(served.file.language) ? `-${served.file.language.replace(/[^\w-]/g, '')}` : '';
  return `recording-${day}${lang}-${safe}`;
}

/** The organisers' side: metadata, access and retention, deletion, and the organisation's policy. */
@ApiTags('archive')
@ApiBearerAuth()
@Controller('api')
@UseGuards(AuthGuard)
export class ArchiveController {
  constructor(private readonly archive: ArchiveService) {}

  @Patch('recordings/:recordingId')
  @ApiZodBody(UpdateRecordingBody)
  update(
    @CurrentPrincipal() p: Principal,
    @Param('recordingId', RecordingIdParam) id: string,
    @Body(new ZodPipe(UpdateRecordingBody)) body: UpdateRecordingBody,
  ): Promise<RecordingDto> {
    return this.archive.update(viewerOf(p), id, body);
  }

  /** Files removed from disk, the row kept as a tombstone with the reason. */
  @Post('recordings/:recordingId/delete')
  @HttpCode(200)
  @ApiZodBody(DeleteRecordingBody)
  remove(
    @CurrentPrincipal() p: Principal,
    @Param('recordingId', RecordingIdParam) id: string,
    @Body(new ZodPipe(DeleteRecordingBody)) body: DeleteRecordingBody,
  ): Promise<RecordingDto> {
    return this.archive.remove(viewerOf(p), id, body.reason);
  }

  @Get('organizations/:orgId/archive-policy')
  policy(@CurrentPrincipal() p: Principal, @Param('orgId', UuidParam) orgId: string): Promise<ArchivePolicyDto> {
    return this.archive.policy(p.userId, orgId);
  }

  @Put('organizations/:orgId/archive-policy')
  @ApiZodBody(ArchivePolicyBody)
  setPolicy(
    @CurrentPrincipal() p: Principal,
    @Param('orgId', UuidParam) orgId: string,
    @Body(new ZodPipe(ArchivePolicyBody)) body: ArchivePolicyBody,
  ): Promise<ArchivePolicyDto> {
    return this.archive.setPolicy(p.userId, orgId, body);
  }
}
