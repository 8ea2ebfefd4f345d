import type { OrgRole } from '../../contract';

/** Everything a person can do to an organisation. A new action must be added to the table below. */
export const ORG_ACTIONS = [
  'org.view',
  'org.update',
  'members.view',
  'members.changeRole',
  'members.remove',
  'institutions.view',
  'institutions.manage',
  'delegates.manage',
  'invitations.manage',
  'rooms.view',
  'rooms.manage',
  'meetings.manage',
  'events.view',
  'events.manage',
  'signIn.manage',
  'recordings.view',
  'recordings.manage',
  'recordings.delete',
] as const;
export type OrgAction = (typeof ORG_ACTIONS)[number];

/** The declared role × action table; the server enforces exactly this. */
export const ORG_PERMISSIONS: Record<OrgAction, readonly OrgRole[]> = {
  'org.view': ['owner', 'admin', 'member'],
  'org.update': ['owner', 'admin'],
  'members.view': ['owner', 'admin', 'member'],
  'members.changeRole': ['owner', 'admin'],
  'members.remove': ['owner', 'admin'],
  'institutions.view': ['owner', 'admin', 'member'],
  'institutions.manage': ['owner', 'admin'],
  'delegates.manage': ['owner', 'admin'],
  'invitations.manage': ['owner', 'admin'],
  'rooms.view': ['owner', 'admin', 'member'],
  'rooms.manage': ['owner', 'admin'],
  'meetings.manage': ['owner', 'admin'],
  'events.view': ['owner', 'admin', 'member'],
  /** Programme, registrants, approvals and their export. */
  'events.manage': ['owner', 'admin'],
  /** The organisation's identity provider (institutional sign-in). */
  'signIn.manage': ['owner', 'admin'],
  /** Recordings whose access level is `members` (public ones are anyone's). */
  'recordings.view': ['owner', 'admin', 'member'],
  /** Every recording of the organisation (`hosts` ones too): its metadata, access, retention and policy. */
  'recordings.manage': ['owner', 'admin'],
  /** Deleting a recording's files for good, and reading the tombstones left. */
  'recordings.delete': ['owner', 'admin'],
};

export const can = (role: OrgRole | null | undefined, action: OrgAction): boolean => !!role && ORG_PERMISSIONS[action].includes(role);

const RANK: Record<OrgRole, number> = { member: 0, admin: 1, owner: 2 };

/**
 * Role changes: nobody raises anyone above their own rank, admins never touch owners, and the last
 * owner cannot be demoted or removed (an organisation always has someone in charge).
 */
export function roleChangeAllowed(
  actor: OrgRole,
  target: OrgRole,
  next: OrgRole | 'removed',
  ownerCount: number,
): 'ok' | 'FORBIDDEN' | 'LAST_OWNER' {
  if (!can(actor, next === 'removed' ? 'members.remove' : 'members.changeRole')) return 'FORBIDDEN';
  if (RANK[target] > RANK[actor]) return 'FORBIDDEN';
  if (next !== 'removed' && RANK[next] > RANK[actor]) return 'FORBIDDEN';
  if (target === 'owner' && next !== 'owner' && ownerCount <= 1) return 'LAST_OWNER';
  return 'ok';
}
