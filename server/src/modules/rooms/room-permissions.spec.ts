import { ROOM_ROLES } from '../../contract';
import { outranks, ROOM_ACTIONS, ROOM_PERMISSIONS, roomCan } from './room-permissions';

describe('room permission table', () => {
  it('has a rule for every action in both modes', () => {
    expect(Object.keys(ROOM_PERMISSIONS).sort()).toEqual([...ROOM_ACTIONS].sort());
    // Every action is someone's in both modes, except what a mode does not have at all: a webinar has no breakout groups.
    const absent = new Set(['breakout.manage:webinar']);
    for (const a of ROOM_ACTIONS) for (const m of ['meeting', 'webinar'] as const) expect([a, m, ROOM_PERMISSIONS[a][m].length > 0]).toEqual([a, m, !absent.has(`${a}:${m}`)]);
  });

  it.each([
    ['attendee', 'media.produce', 'meeting', true],
    ['attendee', 'media.produce', 'webinar', false],
    ['panelist', 'media.produce', 'webinar', true],
    ['attendee', 'stage.raise-hand', 'webinar', true],
    ['panelist', 'stage.raise-hand', 'webinar', false],
    ['host', 'stage.raise-hand', 'meeting', false],
    ['co-host', 'stage.manage', 'webinar', true],
    ['panelist', 'stage.manage', 'webinar', false],
    ['co-host', 'room.end', 'meeting', false],
    ['host', 'room.end', 'webinar', true],
    ['co-host', 'participant.set-role', 'meeting', false],
    ['attendee', 'chat.send', 'webinar', true],
    ['attendee', 'chat.moderate', 'meeting', false],
    ['panelist', 'qa.moderate', 'webinar', true],
    ['attendee', 'poll.manage', 'meeting', false],
  ] as const)('%s may %s in a %s: %s', (role, action, mode, allowed) => {
    expect(roomCan(role, action, mode)).toBe(allowed);
  });

  it('orders roles for moderation', () => {
    expect(outranks('host', 'co-host')).toBe(true);
    expect(outranks('co-host', 'co-host')).toBe(false);
    expect(outranks('co-host', 'host')).toBe(false);
    expect(ROOM_ROLES.filter((r) => outranks('co-host', r))).toEqual(['panelist', 'attendee']);
  });
});
