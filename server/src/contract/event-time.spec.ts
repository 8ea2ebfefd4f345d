import { formatInZone, instantToWallClock, isTimeZone, nowAndNext, offsetMinutes, utcOffsetLabel, wallClockToInstant } from './event-time';
import { LANGUAGE_CODES } from './languages';

describe('event time', () => {
  it.each([
    ['Europe/Moscow', true],
    ['Asia/Kathmandu', true],
    ['UTC', true],
    ['Mars/Olympus_Mons', false],
    ['+03:00', false],
    ['', false],
    ['Europe/../../etc/passwd', false],
  ])('knows whether %s is a time zone', (tz, ok) => expect(isTimeZone(tz)).toBe(ok));

  it.each([
    // wall clock, zone, instant
    ['2025-06-02T09:00', 'Asia/Kathmandu', '2025-06-02T03:15:00.000Z'],
    ['2018-11-03T09:00', 'America/Sao_Paulo', '2018-11-03T12:00:00.000Z'],
    ['2018-11-05T09:00', 'America/Sao_Paulo', '2018-11-05T11:00:00.000Z'],
    ['2024-02-29T09:00', 'Asia/Almaty', '2024-02-29T03:00:00.000Z'],
    ['2024-03-02T09:00', 'Asia/Almaty', '2024-03-02T04:00:00.000Z'],
    ['2022-03-21T09:00', 'Asia/Tehran', '2022-03-21T05:30:00.000Z'],
    ['2022-03-23T09:00', 'Asia/Tehran', '2022-03-23T04:30:00.000Z'],
    ['2023-04-27T09:00', 'Africa/Cairo', '2023-04-27T07:00:00.000Z'],
    ['2023-04-29T09:00', 'Africa/Cairo', '2023-04-29T06:00:00.000Z'],
    ['2014-10-25T09:00', 'Europe/Moscow', '2014-10-25T05:00:00.000Z'],
    ['2014-10-27T09:00', 'Europe/Moscow', '2014-10-27T06:00:00.000Z'],
    // Skipped by the change: carried past the gap (02:30 GMT does not exist, 03:30 BST does).
    ['2025-03-30T01:30', 'Europe/London', '2025-03-30T01:30:00.000Z'],
    // Happens twice: the first one.
    ['2025-10-26T01:30', 'Europe/London', '2025-10-26T00:30:00.000Z'],
  ])('reads %s in %s as %s', (wall, tz, iso) => {
    expect(wallClockToInstant(wall, tz)!.toISOString()).toBe(iso);
  });

  it.each(['2025-02-30T09:00', '2025-13-01T09:00', '2025-01-01T24:00', '2025-01-01 09:00', '2025-01-01T9:00'])('refuses %s', (wall) => {
    expect(wallClockToInstant(wall, 'UTC')).toBeNull();
  });

  it('turns instants back into the wall clock, across every hour of a DST year', () => {
    for (const tz of ['America/Santiago', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Europe/Dublin', 'America/St_Johns']) {
      for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2026, 0, 1); t += 3_600_000 * 7) {
        const wall = instantToWallClock(new Date(t), tz);
        const back = wallClockToInstant(wall, tz)!;
        // Equal, or the first of two instants that show the same wall time.
        expect(instantToWallClock(back, tz)).toBe(wall);
        expect(back.getTime()).toBeLessThanOrEqual(t);
        expect(t - back.getTime()).toBeLessThanOrEqual(3_600_000);
      }
    }
  });

  it('labels offsets, fractional and negative ones included', () => {
    expect(utcOffsetLabel(new Date('2025-06-02T00:00:00Z'), 'Asia/Kathmandu')).toBe('UTC+05:45');
    expect(utcOffsetLabel(new Date('2025-01-02T00:00:00Z'), 'America/St_Johns')).toBe('UTC-03:30');
    expect(utcOffsetLabel(new Date('2025-01-02T00:00:00Z'), 'UTC')).toBe('UTC+00:00');
    expect(offsetMinutes(new Date('2025-01-02T00:00:00Z'), 'Pacific/Chatham')).toBe(13 * 60 + 45);
  });

  it.each(LANGUAGE_CODES)('formats in %s on the Gregorian calendar, labelled with zone and offset', (locale) => {
    const s = formatInZone(new Date('2025-03-21T06:30:00Z'), 'Asia/Tehran', locale);
    expect(s).toContain('(Asia/Tehran, UTC+03:30)');
    // 2025, not the Persian or Islamic year, in whatever digits the language writes.
    const latin = s.replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x660));
    expect(latin).toMatch(/2025/);
    expect(latin).toMatch(/10:00/);
  });

  it('finds what runs now and what comes next, ignoring cancelled sessions', () => {
    const s = [
      { id: 'a', startsAt: '2025-06-02T09:00:00Z', endsAt: '2025-06-02T10:00:00Z' },
      { id: 'b', startsAt: '2025-06-02T09:30:00Z', endsAt: '2025-06-02T11:00:00Z' },
      { id: 'c', startsAt: '2025-06-02T11:00:00Z', endsAt: '2025-06-02T12:00:00Z', status: 'cancelled' },
      { id: 'd', startsAt: '2025-06-02T12:00:00Z', endsAt: '2025-06-02T13:00:00Z' },
    ];
    const r = nowAndNext(s, new Date('2025-06-02T09:45:00Z'));
    expect(r.now.map((x) => x.id)).toEqual(['a', 'b']);
    expect(r.next?.id).toBe('d');
    expect(nowAndNext(s, new Date('2025-06-02T13:00:00Z'))).toEqual({ now: [], next: null });
  });
});
