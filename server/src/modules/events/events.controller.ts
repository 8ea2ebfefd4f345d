import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { z } from 'zod';
import {
  CreateEventBody,
  CreateSessionBody,
  DecideRegistrationBody,
  EventRegistrationBody,
  UpdateEventBody,
  UpdateSessionBody,
  type EventDto,
  type EventSessionDto,
  type EventSummaryDto,
  type MyEventRegistrationDto,
  type MyRegistrationDto,
  type RegistrantDto,
} from '../../contract';
import { ApiZodBody, UuidParam, ZodPipe } from '../../common/zod';
import { AuthGuard, CurrentPrincipal } from '../identity/auth.guard';
import type { Principal } from '../identity/identity.service';
import { EventsService } from './events.service';
import { MaybePrincipal, OptionalAuthGuard } from './optional-auth.guard';
import { RegistrationsService } from './registrations.service';

const sendIcs = (res: Response, file: { filename: string; content: string }): string => {
  res.setHeader('Content-Type', 'text/calendar; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
  return file.content;
};

/** Organisers' side and members' side of events. */
@ApiTags('events')
@ApiBearerAuth()
@Controller('api')
@UseGuards(AuthGuard)
export class EventsController {
  constructor(
    private readonly events: EventsService,
    private readonly registrations: RegistrationsService,
  ) {}

  @Get('organizations/:orgId/events')
  list(@CurrentPrincipal() p: Principal, @Param('orgId', UuidParam) orgId: string): Promise<EventSummaryDto[]> {
    return this.events.list(p.userId, orgId);
  }

  @Post('organizations/:orgId/events')
  @ApiZodBody(CreateEventBody)
  create(
    @CurrentPrincipal() p: Principal,
    @Param('orgId', UuidParam) orgId: string,
    @Body(new ZodPipe(CreateEventBody)) body: z.output<typeof CreateEventBody>,
  ): Promise<EventDto> {
    return this.events.create(p.userId, orgId, body);
  }

  @Patch('events/:eventId')
  @ApiZodBody(UpdateEventBody)
  update(
    @CurrentPrincipal() p: Principal,
    @Param('eventId', UuidParam) eventId: string,
    @Body(new ZodPipe(UpdateEventBody)) body: UpdateEventBody,
  ): Promise<EventDto> {
    return this.events.update(p.userId, eventId, body);
  }

  @Post('events/:eventId/cancel')
  @HttpCode(200)
  cancel(@CurrentPrincipal() p: Principal, @Param('eventId', UuidParam) eventId: string): Promise<EventDto> {
    return this.events.cancel(p.userId, eventId);
  }

  @Post('events/:eventId/sessions')
  @ApiZodBody(CreateSessionBody)
  addSession(
    @CurrentPrincipal() p: Principal,
    @Param('eventId', UuidParam) eventId: string,
    @Body(new ZodPipe(CreateSessionBody)) body: z.output<typeof CreateSessionBody>,
  ): Promise<EventSessionDto> {
    return this.events.addSession(p.userId, eventId, body);
  }

  @Patch('event-sessions/:eventSessionId')
  @ApiZodBody(UpdateSessionBody)
  updateSession(
    @CurrentPrincipal() p: Principal,
    @Param('eventSessionId', UuidParam) sessionId: string,
    @Body(new ZodPipe(UpdateSessionBody)) body: UpdateSessionBody,
  ): Promise<EventSessionDto> {
    return this.events.updateSession(p.userId, sessionId, body);
  }

  @Post('event-sessions/:eventSessionId/cancel')
  @HttpCode(200)
  cancelSession(@CurrentPrincipal() p: Principal, @Param('eventSessionId', UuidParam) sessionId: string): Promise<EventSessionDto> {
    return this.events.cancelSession(p.userId, sessionId);
  }

  /** Registers the caller; the same `clientRequestId` (or any second request) gives the same registration. */
  @Post('events/:eventId/registrations')
  @ApiZodBody(EventRegistrationBody)
  register(
    @CurrentPrincipal() p: Principal,
    @Param('eventId', UuidParam) eventId: string,
    @Body(new ZodPipe(EventRegistrationBody)) body: z.output<typeof EventRegistrationBody>,
  ): Promise<MyRegistrationDto> {
    return this.registrations.register(p.userId, eventId, body);
  }

  @Delete('events/:eventId/registrations/mine')
  @HttpCode(200)
  cancelMine(@CurrentPrincipal() p: Principal, @Param('eventId', UuidParam) eventId: string): Promise<MyRegistrationDto | null> {
    return this.registrations.cancelMine(p.userId, eventId);
  }

  @Get('events/:eventId/registrations')
  registrants(@CurrentPrincipal() p: Principal, @Param('eventId', UuidParam) eventId: string): Promise<RegistrantDto[]> {
    return this.registrations.registrants(p.userId, eventId);
  }

  @Get('events/:eventId/registrations.csv')
  @ApiProduces('text/csv')
  async registrantsCsv(
    @CurrentPrincipal() p: Principal,
    @Param('eventId', UuidParam) eventId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const { filename, csv } = await this.registrations.registrantsCsv(p.userId, eventId);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    return csv;
  }

  @Post('event-registrations/:registrationId/decision')
  @HttpCode(200)
  @ApiZodBody(DecideRegistrationBody)
  decide(
    @CurrentPrincipal() p: Principal,
    @Param('registrationId', UuidParam) registrationId: string,
    @Body(new ZodPipe(DecideRegistrationBody)) body: DecideRegistrationBody,
  ): Promise<RegistrantDto> {
    return this.registrations.decide(p.userId, registrationId, body.decision);
  }

  @Get('me/event-registrations')
  mine(@CurrentPrincipal() p: Principal): Promise<MyEventRegistrationDto[]> {
    return this.registrations.mine(p.userId);
  }
}

/**
 * What anyone may read without signing in: the directory of upcoming public events, and a public
 * event's page and calendar files. Signed in, the same routes also show members-only events to the
 * organisation's people (NOT_FOUND to others).
 */
@ApiTags('events')
@Controller('api')
@UseGuards(OptionalAuthGuard)
export class PublicEventsController {
  constructor(private readonly events: EventsService) {}

  @Get('events')
  directory(): Promise<EventSummaryDto[]> {
    return this.events.directory();
  }

  @Get('events/:eventId')
  get(@MaybePrincipal() p: Principal | null, @Param('eventId', UuidParam) eventId: string): Promise<EventDto> {
    return this.events.get(p?.userId ?? null, eventId);
  }

  @Get('events/:eventId/calendar.ics')
  @ApiProduces('text/calendar')
  async eventIcs(
    @MaybePrincipal() p: Principal | null,
    @Param('eventId', UuidParam) eventId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    return sendIcs(res, await this.events.ics(p?.userId ?? null, eventId));
  }

  @Get('events/:eventId/sessions/:eventSessionId/calendar.ics')
  @ApiProduces('text/calendar')
  async sessionIcs(
    @MaybePrincipal() p: Principal | null,
    @Param('eventId', UuidParam) eventId: string,
    @Param('eventSessionId', UuidParam) sessionId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    return sendIcs(res, await this.events.ics(p?.userId ?? null, eventId, sessionId));
  }
}
