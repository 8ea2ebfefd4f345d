import { Body, Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import {
  AgendaItemBody,
  AssignProxyBody,
  CreateBallotBody,
  CreateMeetingBody,
  CreateMotionBody,
  MotionTransitionBody,
  OpenBallotBody,
  ReleaseShareBody,
  SetTellersBody,
  TellerKeyBody,
  type BallotKeyPlan,
  type BallotView,
  type BulletinEntry,
  type MeetingView,
  type MotionView,
  type QuorumView,
  type SeatView,
} from '../../contract';
import { ApiZodBody, UuidParam, ZodPipe } from '../../common/zod';
import { AuthGuard, CurrentPrincipal } from '../identity/auth.guard';
import type { Principal } from '../identity/identity.service';
import { BallotsService } from './ballots.service';
import { MeetingsService } from './meetings.service';
import { MotionsService } from './motions.service';
import { RollService } from './roll.service';

type Out<S extends z.ZodType> = z.output<S>;

@ApiTags('governance')
@ApiBearerAuth()
@Controller('api')
@UseGuards(AuthGuard)
export class GovernanceController {
  constructor(
    private readonly meetings: MeetingsService,
    private readonly motions: MotionsService,
    private readonly roll: RollService,
    private readonly ballots: BallotsService,
  ) {}

  @Post('organizations/:orgId/meetings')
  @ApiZodBody(CreateMeetingBody)
  create(@CurrentPrincipal() p: Principal, @Param('orgId', UuidParam) orgId: string, @Body(new ZodPipe(CreateMeetingBody)) b: Out<typeof CreateMeetingBody>): Promise<MeetingView> {
    return this.meetings.create(p.userId, orgId, b);
  }

  @Get('organizations/:orgId/meetings')
  list(@CurrentPrincipal() p: Principal, @Param('orgId', UuidParam) orgId: string) {
    return this.meetings.list(p.userId, orgId);
  }

  @Get('meetings/:meetingId')
  get(@CurrentPrincipal() p: Principal, @Param('meetingId', UuidParam) id: string): Promise<MeetingView> {
    return this.meetings.view(p.userId, id);
  }

  @Post('meetings/:meetingId/agenda')
  @ApiZodBody(AgendaItemBody)
  agenda(@CurrentPrincipal() p: Principal, @Param('meetingId', UuidParam) id: string, @Body(new ZodPipe(AgendaItemBody)) b: Out<typeof AgendaItemBody>): Promise<MeetingView> {
    return this.meetings.addAgendaItem(p.userId, id, b);
  }

  @Post('meetings/:meetingId/motions')
  @ApiZodBody(CreateMotionBody)
  move(@CurrentPrincipal() p: Principal, @Param('meetingId', UuidParam) id: string, @Body(new ZodPipe(CreateMotionBody)) b: Out<typeof CreateMotionBody>): Promise<MotionView> {
    return this.motions.create(p.userId, id, b);
  }

  @Post('meetings/:meetingId/motions/:motionId/transition')
  @HttpCode(200)
  @ApiZodBody(MotionTransitionBody)
  transition(
    @CurrentPrincipal() p: Principal,
    @Param('meetingId', UuidParam) id: string,
    @Param('motionId', UuidParam) motionId: string,
    @Body(new ZodPipe(MotionTransitionBody)) b: Out<typeof MotionTransitionBody>,
  ): Promise<MotionView> {
    return this.motions.transition(p.userId, id, motionId, b.event);
  }

  @Post('meetings/:meetingId/check-in')
  @HttpCode(200)
  checkIn(@CurrentPrincipal() p: Principal, @Param('meetingId', UuidParam) id: string): Promise<QuorumView> {
    return this.roll.checkIn(p.userId, id, 'check-in');
  }

  @Post('meetings/:meetingId/check-out')
  @HttpCode(200)
  checkOut(@CurrentPrincipal() p: Principal, @Param('meetingId', UuidParam) id: string): Promise<QuorumView> {
    return this.roll.checkIn(p.userId, id, 'check-out');
  }

  @Post('meetings/:meetingId/proxies')
  @HttpCode(200)
  @ApiZodBody(AssignProxyBody)
  proxy(@CurrentPrincipal() p: Principal, @Param('meetingId', UuidParam) id: string, @Body(new ZodPipe(AssignProxyBody)) b: Out<typeof AssignProxyBody>): Promise<SeatView[]> {
    return this.roll.assignProxy(p.userId, id, b);
  }

  @Post('meetings/:meetingId/ballots')
  @ApiZodBody(CreateBallotBody)
  ballot(@CurrentPrincipal() p: Principal, @Param('meetingId', UuidParam) id: string, @Body(new ZodPipe(CreateBallotBody)) b: Out<typeof CreateBallotBody>): Promise<BallotView> {
    return this.ballots.create(p.userId, id, b);
  }

  @Get('meetings/:meetingId/export')
  export(@CurrentPrincipal() p: Principal, @Param('meetingId', UuidParam) id: string) {
    return this.meetings.export(p.userId, id);
  }

  @Get('ballots/:ballotId')
  getBallot(@CurrentPrincipal() p: Principal, @Param('ballotId', UuidParam) id: string): Promise<BallotView> {
    return this.ballots.get(p.userId, id);
  }

  @Post('ballots/:ballotId/open')
  @HttpCode(200)
  @ApiZodBody(OpenBallotBody)
  open(@CurrentPrincipal() p: Principal, @Param('ballotId', UuidParam) id: string, @Body(new ZodPipe(OpenBallotBody)) b: Out<typeof OpenBallotBody>): Promise<BallotView> {
    return this.ballots.open(p.userId, id, b);
  }

  /** Who holds the key of this secret ballot if the caller opens it now, with their public keys. */
  @Get('ballots/:ballotId/key-plan')
  keyPlan(@CurrentPrincipal() p: Principal, @Param('ballotId', UuidParam) id: string): Promise<BallotKeyPlan> {
    return this.ballots.keyPlan(p.userId, id);
  }

  /** The caller's own share of the ballot's key, sealed to their teller key. */
  @Get('ballots/:ballotId/key-share')
  myShare(@CurrentPrincipal() p: Principal, @Param('ballotId', UuidParam) id: string): Promise<{ sealedShare: string }> {
    return this.ballots.myShare(p.userId, id);
  }

  @Post('ballots/:ballotId/key-share')
  @HttpCode(200)
  @ApiZodBody(ReleaseShareBody)
  releaseShare(@CurrentPrincipal() p: Principal, @Param('ballotId', UuidParam) id: string, @Body(new ZodPipe(ReleaseShareBody)) b: Out<typeof ReleaseShareBody>): Promise<BallotView> {
    return this.ballots.releaseShare(p.userId, id, b.share);
  }

  @Get('me/teller-key')
  tellerKey(@CurrentPrincipal() p: Principal): Promise<{ publicKey: string | null }> {
    return this.meetings.tellerKey(p.userId);
  }

  /** The public half of the caller's teller key; its private half stays on their device. */
  @Put('me/teller-key')
  @ApiZodBody(TellerKeyBody)
  setTellerKey(@CurrentPrincipal() p: Principal, @Body(new ZodPipe(TellerKeyBody)) b: Out<typeof TellerKeyBody>): Promise<{ publicKey: string | null }> {
    return this.meetings.setTellerKey(p.userId, b.publicKey);
  }

  @Put('meetings/:meetingId/tellers')
  @ApiZodBody(SetTellersBody)
  setTellers(@CurrentPrincipal() p: Principal, @Param('meetingId', UuidParam) id: string, @Body(new ZodPipe(SetTellersBody)) b: Out<typeof SetTellersBody>): Promise<MeetingView> {
    return this.meetings.setTellers(p.userId, id, b.tellers, b.threshold);
  }

  @Post('ballots/:ballotId/close')
  @HttpCode(200)
  close(@CurrentPrincipal() p: Principal, @Param('ballotId', UuidParam) id: string): Promise<BallotView> {
    return this.ballots.close(p.userId, id);
  }

  @Post('ballots/:ballotId/publish')
  @HttpCode(200)
  publish(@CurrentPrincipal() p: Principal, @Param('ballotId', UuidParam) id: string): Promise<BallotView> {
    return this.ballots.publish(p.userId, id);
  }

  @Get('ballots/:ballotId/bulletin')
  bulletin(@CurrentPrincipal() p: Principal, @Param('ballotId', UuidParam) id: string): Promise<BulletinEntry[]> {
    return this.ballots.bulletin(p.userId, id);
  }
}
