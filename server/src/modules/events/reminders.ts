/**
 * When reminders go: `offsets` minutes before each session's start. A reminder is due once its
 * moment has passed and the session has not started; one that was missed (the server was down at
 * its moment) still goes if the session is ahead, but never after the start. Pure; the scheduler
 * records what it sent, so a reminder goes once per person.
 */
export interface ReminderSession {
  id: string;
  startsAt: Date;
}

export interface DueReminder {
  sessionId: string;
  offsetMinutes: number;
  at: Date;
}

/** Every reminder moment of these sessions, earliest first. */
export function reminderSchedule(sessions: readonly ReminderSession[], offsets: readonly number[]): DueReminder[] {
  return sessions
    .flatMap((s) =>
      [...new Set(offsets)].map((o) => ({ sessionId: s.id, offsetMinutes: o, at: new Date(s.startsAt.getTime() - o * 60_000) })),
    )
    .sort((a, b) => a.at.getTime() - b.at.getTime() || b.offsetMinutes - a.offsetMinutes);
}

/**
 * The reminders to send at `now`. Of several due for one session (a long outage), only the one
 * closest to the start goes: two mails about one session at once say nothing more than one.
 */
export function dueReminders(
  sessions: readonly ReminderSession[],
  offsets: readonly number[],
  now: Date,
  alreadySent: ReadonlySet<string>,
): DueReminder[] {
  const latest = new Map<string, DueReminder>();
  for (const r of reminderSchedule(sessions, offsets)) {
    const start = r.at.getTime() + r.offsetMinutes * 60_000;
    if (r.at.getTime() > now.getTime() || start <= now.getTime()) continue;
    const other = latest.get(r.sessionId);
    if (!other || r.offsetMinutes < other.offsetMinutes) latest.set(r.sessionId, r);
  }
  // An earlier reminder missed after a later one went stays unsent: it would arrive out of order.
  const due = new Map([...latest].filter(([, r]) => !alreadySent.has(reminderKey(r))));
  return [...due.values()];
}

export const reminderKey = (r: { sessionId: string; offsetMinutes: number }): string => `${r.sessionId}:${r.offsetMinutes}`;
