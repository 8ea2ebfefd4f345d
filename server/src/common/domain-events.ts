import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';
import type { BallotView, MotionView, OrgRole } from '../contract';
import type { AppSocket } from './ws/command';

/** Sessions that just ended (sign-out, a replayed refresh token, a password change): their sockets go. */
export interface SessionsRevoked {
  userId: string;
  sessionIds: string[];
}

/** Something an organisation's watchers list changed: they refetch it. */
export interface OrgChange {
  organizationId: string;
  what: 'members' | 'institutions' | 'invitations';
}

/** One person's standing in an organisation changed: `role` is the new one, null when removed. */
export interface MembershipChange {
  organizationId: string;
  userId: string;
  role: OrgRole | null;
}

/**
 * Every event one domain of the server tells the others, with its payload: one typed map on one bus
 * (`DomainEvents`), so a listener cannot subscribe to a misspelt event or read a payload wrongly, and
 * the whole list of what flows between domains is here. Listeners run synchronously in the emitter's
 * turn and must not throw; anything slow or fallible is started from them and its failure logged.
 */
export interface DomainEventMap {
  /** Realtime → rooms: a socket closed (`reason` from socket.io); its seat is released after a grace. */
  'socket.disconnected': [{ socket: AppSocket; reason: string }];
  /** Realtime → rooms: a dropped socket came back as itself (connection-state recovery). */
  'socket.recovered': [{ socket: AppSocket }];
  /** Realtime → rooms: this process stopped taking connections and joins (SIGTERM). */
  'server.draining': [];
  /** Identity → realtime: disconnect the sockets of these sessions. */
  'session.revoked': [SessionsRevoked];
  /** Guests → realtime: these guest passes ended (removed by a host, expired, the room closed to guests); their sockets close. */
  'guest-pass.revoked': [{ passIds: string[] }];
  /** Organisations → realtime: tell the organisation's watchers to refetch. */
  'organization.changed': [OrgChange];
  /** Organisations → realtime, rooms: open sockets and live seats follow the new role at once. */
  'membership.changed': [MembershipChange];
  /** Cluster → rooms: this node lost a room's lease (expired, taken); it must drop the room at once. */
  'room.lease-lost': [{ roomId: string }];
  /** Rooms → governance: who is present in a room changed (the quorum of its meeting may have). */
  'room.presence': [{ roomId: string }];
  /** Governance → its live feed: a ballot opened, closed or was published. */
  'ballot.changed': [{ meetingId: string; event: 'ballot:opened' | 'ballot:closed' | 'ballot:tellers' | 'result:published'; ballot: BallotView }];
  /** Governance → its live feed: votes were recorded on a ballot (turnout, coalesced by the feed). */
  'ballot.turnout': [{ meetingId: string; ballotId: string }];
  /** Governance → its live feed: the roll or presence of a meeting changed. */
  'meeting.quorum': [{ meetingId: string }];
  /** Governance → its live feed: a motion was moved or its text changed. */
  'motion.changed': [{ meetingId: string; motion: MotionView }];
  /** Recording → archive: a recording's files are written and hashed (`recording_files`); it can be listed and played. */
  'recording.ready': [{ recordingId: string }];
}

@Injectable()
export class DomainEvents extends EventEmitter<DomainEventMap> {}
