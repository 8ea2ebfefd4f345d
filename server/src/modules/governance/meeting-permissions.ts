import type { OrgRole } from '../../contract';
import { can } from '../organizations/org-permissions';

/**
 * Who may do what in a meeting: the one table every meeting, motion and ballot action is checked
 * against. A person's roles in a meeting come from the meeting (chair, secretary), the organisation
 * (member; admin = whoever manages its meetings) and, for motion actions, the motion (its mover; any
 * other member may second it). Pure.
 */
export const MEETING_ROLES = ['member', 'chair', 'secretary', 'admin', 'mover', 'not-mover'] as const;
export type MeetingRole = (typeof MEETING_ROLES)[number];

export const MEETING_PERMISSIONS = {
  'meeting.view': ['member'],
  'agenda.manage': ['chair', 'secretary'],
  'motion.move': ['member'],
  'motion.submit': ['mover'],
  'motion.second': ['not-mover'],
  'motion.debate': ['chair'],
  'motion.refer': ['chair'],
  'motion.withdraw': ['mover', 'chair'],
  'presence.check-in': ['member'],
  'proxy.assign': ['member'],
  'ballot.manage': ['chair'],
  'ballot.view': ['member'],
  'record.export': ['chair', 'secretary', 'admin'],
} as const satisfies Record<string, readonly MeetingRole[]>;
export type MeetingAction = keyof typeof MEETING_PERMISSIONS;

/** Said to someone refused, per action. */
export const REFUSALS: Record<MeetingAction, string> = {
  'meeting.view': 'Meeting not found.',
  'agenda.manage': 'Only the chair or the secretary can do this.',
  'motion.move': 'Meeting not found.',
  'motion.submit': 'Only the mover can do this.',
  'motion.second': 'The mover cannot second their own motion.',
  'motion.debate': 'Only the chair can do this.',
  'motion.refer': 'Only the chair can do this.',
  'motion.withdraw': 'Only the mover or the chair can do this.',
  'presence.check-in': 'Meeting not found.',
  'proxy.assign': 'Meeting not found.',
  'ballot.manage': 'Only the chair can do this.',
  'ballot.view': 'Ballot not found.',
  'record.export': 'Only the chair, the secretary and administrators export the record.',
};

export interface MeetingParties {
  chairId: string;
  secretaryId: string | null;
  /** Set for a motion action. */
  moverId?: string;
}

/** The roles of `userId` (whose role in the organisation is `orgRole`) in a meeting. Outsiders have none. */
export function meetingRoles(userId: string, orgRole: OrgRole | null, parties: MeetingParties): Set<MeetingRole> {
  const roles = new Set<MeetingRole>();
  if (!orgRole) return roles;
  roles.add('member');
  if (parties.chairId === userId) roles.add('chair');
  if (parties.secretaryId === userId) roles.add('secretary');
  if (can(orgRole, 'meetings.manage')) roles.add('admin');
  if (parties.moverId !== undefined) roles.add(parties.moverId === userId ? 'mover' : 'not-mover');
  return roles;
}

export const meetingCan = (roles: ReadonlySet<MeetingRole>, action: MeetingAction): boolean => (MEETING_PERMISSIONS[action] as readonly MeetingRole[]).some((r) => roles.has(r));
