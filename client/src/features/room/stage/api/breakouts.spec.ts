import { describe, expect, it } from '@jest/globals';
import type { BreakoutState } from '@contract';
import { canManageBreakouts, chatScopeOf, groupLabel } from './breakouts';

const state = (yourGroup: number | null): BreakoutState => ({
  roundId: 'r1',
  assignment: 'random',
  groups: [
    { index: 0, name: '', members: [] },
    { index: 1, name: 'Outreach', members: [] },
  ],
  mainRoom: [],
  openedAt: '2026-12-02T10:00:00.000Z',
  endsAt: null,
  yourGroup,
});

describe('breakout groups in the client', () => {
  it('offers the controls to hosts and co-hosts of meetings only', () => {
    expect((['host', 'co-host', 'panelist', 'attendee'] as const).filter((r) => canManageBreakouts(r, 'meeting'))).toEqual(['host', 'co-host']);
    expect(canManageBreakouts('host', 'webinar')).toBe(false);
    expect(canManageBreakouts(null, 'meeting')).toBe(false);
  });

  it('labels a group by its name, or by its number', () => {
    expect(groupLabel(state(null), 0, (n) => `Group ${n}`)).toBe('Group 1');
    expect(groupLabel(state(null), 1, (n) => `Group ${n}`)).toBe('Outreach');
  });

  it('reads the group chat in a group and the main chat elsewhere, as the server files it', () => {
    expect(chatScopeOf(state(1))).toBe('r1:1');
    expect(chatScopeOf(state(null))).toBeNull();
    expect(chatScopeOf(null)).toBeNull();
  });
});
