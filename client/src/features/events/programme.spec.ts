import { describe, expect, it } from '@jest/globals';
import type { EventSessionDto } from '@contract';
import { programmeDays } from './programme';

const s = (id: string, startsAt: string): EventSessionDto =>
  ({ id, startsAt, endsAt: startsAt, title: id, status: 'scheduled' }) as unknown as EventSessionDto;

describe('programme days', () => {
  it('groups sessions by the event zone’s calendar day, not UTC’s', () => {
    // 22:30 UTC is already the next day in Tokyo, still the same day in New York.
    const sessions = [s('late', '2025-06-01T22:30:00Z'), s('early', '2025-06-01T01:00:00Z')];
    expect(programmeDays(sessions, 'Asia/Tokyo').map((d) => [d.day, d.sessions.map((x) => x.id)])).toEqual([
      ['2025-06-01', ['early']],
      ['2025-06-02', ['late']],
    ]);
    expect(programmeDays(sessions, 'America/New_York').map((d) => [d.day, d.sessions.map((x) => x.id)])).toEqual([
      ['2025-05-31', ['early']],
      ['2025-06-01', ['late']],
    ]);
  });
});
