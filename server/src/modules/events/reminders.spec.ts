import { dueReminders, reminderKey, reminderSchedule } from './reminders';

const at = (iso: string) => new Date(iso);
const sessions = [
  { id: 'a', startsAt: at('2025-06-02T09:00:00Z') },
  { id: 'b', startsAt: at('2025-06-02T14:00:00Z') },
];

describe('reminder schedule', () => {
  it('lists each offset before each session, earliest first', () => {
    expect(reminderSchedule(sessions, [1440, 60]).map((r) => `${r.sessionId}@${r.at.toISOString()}`)).toEqual([
      'a@2025-06-01T09:00:00.000Z',
      'b@2025-06-01T14:00:00.000Z',
      'a@2025-06-02T08:00:00.000Z',
      'b@2025-06-02T13:00:00.000Z',
    ]);
  });

  it.each([
    ['2025-06-01T08:59:00Z', []],
    ['2025-06-01T09:00:00Z', ['a:1440']],
    ['2025-06-01T15:00:00Z', ['a:1440', 'b:1440']],
    ['2025-06-02T08:30:00Z', ['a:60', 'b:1440']],
    ['2025-06-02T09:00:00Z', ['b:1440']],
    ['2025-06-02T14:00:00Z', []],
  ])('at %s sends %j', (now, keys) => {
    expect(dueReminders(sessions, [1440, 60], at(now), new Set()).map(reminderKey).sort()).toEqual([...keys].sort());
  });

  it('never sends a reminder twice', () => {
    const sent = new Set(['a:1440']);
    expect(dueReminders(sessions, [1440, 60], at('2025-06-01T10:00:00Z'), sent)).toEqual([]);
    expect(dueReminders(sessions, [1440, 60], at('2025-06-02T08:10:00Z'), sent).map(reminderKey)).toEqual(['a:60', 'b:1440']);
    // The day-before reminder missed, the hour-before one sent: the stale one never follows it.
    expect(dueReminders(sessions, [1440, 60], at('2025-06-02T08:20:00Z'), new Set(['a:60', 'b:1440']))).toEqual([]);
  });
});
