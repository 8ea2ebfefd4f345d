import { ORG_ROLES } from '../../contract';
import { can, ORG_ACTIONS, ORG_PERMISSIONS, roleChangeAllowed } from './org-permissions';

describe('organisation permissions', () => {
  it('declares a rule for every action', () => {
    expect(Object.keys(ORG_PERMISSIONS).sort()).toEqual([...ORG_ACTIONS].sort());
  });

  const managing = new Set(['org.update', 'members.changeRole', 'members.remove', 'institutions.manage', 'delegates.manage', 'invitations.manage', 'rooms.manage', 'meetings.manage', 'events.manage', 'signIn.manage', 'recordings.manage', 'recordings.delete']);
  it.each(ORG_ROLES.flatMap((r) => ORG_ACTIONS.map((a) => [r, a] as const)))('%s may %s only as declared', (role, action) => {
    expect(can(role, action)).toBe(role !== 'member' || !managing.has(action));
  });

  it('lets nobody without a role do anything', () => {
    for (const a of ORG_ACTIONS) expect(can(null, a)).toBe(false);
  });

  it.each([
    ['owner', 'member', 'admin', 2, 'ok'],
    ['owner', 'admin', 'owner', 1, 'ok'],
    ['admin', 'member', 'admin', 1, 'ok'],
    ['admin', 'member', 'owner', 1, 'FORBIDDEN'],
    ['admin', 'owner', 'member', 2, 'FORBIDDEN'],
    ['admin', 'owner', 'removed', 2, 'FORBIDDEN'],
    ['member', 'member', 'admin', 1, 'FORBIDDEN'],
    ['member', 'member', 'removed', 1, 'FORBIDDEN'],
    ['owner', 'owner', 'admin', 1, 'LAST_OWNER'],
    ['owner', 'owner', 'removed', 1, 'LAST_OWNER'],
    ['owner', 'owner', 'admin', 2, 'ok'],
    ['admin', 'admin', 'removed', 1, 'ok'],
  ] as const)('actor %s changing %s to %s with %i owner(s): %s', (actor, target, next, owners, expected) => {
    expect(roleChangeAllowed(actor, target, next, owners)).toBe(expected);
  });
});
