import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';
import type { BallotView, MotionView } from '../../contract';

/** Domain events of formal decisions, for the live feed of a meeting. */
export interface GovernanceEventMap {
  ballot: [{ meetingId: string; event: 'ballot:opened' | 'ballot:closed' | 'result:published'; ballot: BallotView }];
  quorum: [{ meetingId: string }];
  turnout: [{ meetingId: string; ballotId: string }];
  motion: [{ meetingId: string; motion: MotionView }];
}

@Injectable()
export class GovernanceEvents extends EventEmitter<GovernanceEventMap> {}
