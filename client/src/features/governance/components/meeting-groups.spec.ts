import { describe, expect, it } from '@jest/globals';
import { groupMeetings } from './meeting-groups';

const now = new Date(2026, 11, 2, 15, 0); // 2 December 2026, 15:00 local time
const m = (id: string, y: number, mo: number, d: number, h = 10) => ({ id, scheduledAt: new Date(y, mo, d, h).toISOString() });
const ids = (xs: { id: string }[]) => xs.map((x) => x.id);

describe('a room’s meetings grouped for the meeting panel', () => {
  const meetings = [
    m('last-year', 2025, 11, 2),
    m('next-week', 2026, 11, 9),
    m('this-morning', 2026, 11, 2, 9),
    m('yesterday', 2026, 11, 1, 18),
    m('tomorrow', 2026, 11, 3),
    m('last-month', 2026, 10, 4),
  ];

  it('puts today’s and later meetings first, soonest first, and earlier days behind, latest first', () => {
    const g = groupMeetings(meetings, now, new Set());
    expect(ids(g.current)).toEqual(['this-morning', 'tomorrow', 'next-week']);
    expect(ids(g.past)).toEqual(['yesterday', 'last-month', 'last-year']);
  });

  it('keeps a meeting earlier today current after its start time', () => {
    const late = new Date(2026, 11, 2, 23, 59);
    expect(ids(groupMeetings([m('this-morning', 2026, 11, 2, 0)], late, new Set()).current)).toEqual(['this-morning']);
  });

  it('lists a meeting with an open ballot first, whatever its date', () => {
    const g = groupMeetings(meetings, now, new Set(['yesterday', 'next-week']));
    expect(ids(g.current)).toEqual(['yesterday', 'next-week', 'this-morning', 'tomorrow']);
    expect(ids(g.past)).toEqual(['last-month', 'last-year']);
  });

  it('leaves the list it was given as it was', () => {
    const before = ids(meetings);
    groupMeetings(meetings, now, new Set(['last-year']));
    expect(ids(meetings)).toEqual(before);
  });

  it('has nothing past when every meeting is to come, and nothing current when all are over', () => {
    expect(groupMeetings([m('tomorrow', 2026, 11, 3)], now, new Set()).past).toEqual([]);
    expect(groupMeetings([m('yesterday', 2026, 11, 1)], now, new Set()).current).toEqual([]);
  });
});
