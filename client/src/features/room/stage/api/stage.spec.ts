import { describe, expect, it } from '@jest/globals';
import type { RoomRole } from '@contract';
import { canRaiseHand, isModerator, outranks } from './stage';

const ROLES: RoomRole[] = ['host', 'co-host', 'panelist', 'attendee'];

describe('which stage controls a role is shown', () => {
  it.each([
    ['host', 'co-host', true],
    ['host', 'attendee', true],
    ['co-host', 'panelist', true],
    ['co-host', 'co-host', false],
    ['co-host', 'host', false],
    ['panelist', 'attendee', true],
    ['attendee', 'attendee', false],
  ] as const)('%s acting on %s: %s', (actor, target, expected) => {
    expect(outranks(actor, target)).toBe(expected);
  });

  it('offers host actions to hosts and co-hosts only', () => {
    expect(ROLES.filter(isModerator)).toEqual(['host', 'co-host']);
    expect(isModerator(null)).toBe(false);
  });

  it('lets only attendees raise a hand in a webinar, and anyone but the host in a meeting', () => {
    expect(ROLES.filter((r) => canRaiseHand(r, 'webinar'))).toEqual(['attendee']);
    expect(ROLES.filter((r) => canRaiseHand(r, 'meeting'))).toEqual(['co-host', 'panelist', 'attendee']);
  });
});
