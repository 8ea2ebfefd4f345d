/** One join→leave interval of a person in a room session (left null while still in). */
export interface AttendanceInterval {
  userId: string;
  displayName: string;
  joinedAt: Date;
  leftAt: Date | null;
  /** Times away inside the visit (a server restart): not counted as present. */
  gaps?: readonly { from: string | Date; to: string | Date }[];
}

/** The present spans of a visit: [join, leave] without its gaps. */
export function presentSpans(r: AttendanceInterval, now: Date): [number, number][] {
  const end = (r.leftAt ?? now).getTime();
  const spans: [number, number][] = [];
  let start = r.joinedAt.getTime();
  const gaps = [...(r.gaps ?? [])].map((g) => [new Date(g.from).getTime(), new Date(g.to).getTime()] as const).sort((a, b) => a[0] - b[0]);
  for (const [from, to] of gaps) {
    if (from > start) spans.push([start, Math.min(from, end)]);
    start = Math.max(start, to);
  }
  if (end > start || spans.length === 0) spans.push([start, Math.max(start, end)]);
  return spans;
}

export interface AttendanceSummary {
  userId: string;
  displayName: string;
  firstJoin: string;
  lastLeave: string | null;
  /** Time present, overlapping intervals (two devices at once) counted once; rounded to 0.1 min. */
  minutes: number;
  joins: number;
}

/** Per-person attendance from raw intervals; open intervals count up to `now`. Sorted by first join. */
export function summarizeAttendance(rows: readonly AttendanceInterval[], now: Date): AttendanceSummary[] {
  const byUser = new Map<string, AttendanceInterval[]>();
  for (const r of rows) byUser.set(r.userId, [...(byUser.get(r.userId) ?? []), r]);
  const out: AttendanceSummary[] = [];
  for (const [userId, list] of byUser) {
    const spans = list.flatMap((r) => presentSpans(r, now)).sort((a, b) => a[0] - b[0]);
    let total = 0;
    let [start, end] = spans[0]!;
    for (const [s, e] of spans.slice(1)) {
      if (s <= end) end = Math.max(end, e);
      else {
        total += end - start;
        [start, end] = [s, e];
      }
    }
    total += end - start;
    const stillIn = list.some((r) => r.leftAt === null);
    const lastLeave = stillIn ? null : new Date(Math.max(...list.map((r) => r.leftAt!.getTime())));
    const latest = list.reduce((a, b) => (b.joinedAt > a.joinedAt ? b : a));
    out.push({
      userId,
      displayName: latest.displayName,
      firstJoin: new Date(spans[0]![0]).toISOString(),
      lastLeave: lastLeave?.toISOString() ?? null,
      minutes: Math.round(total / 6_000) / 10,
      joins: list.length,
    });
  }
  return out.sort((a, b) => a.firstJoin.localeCompare(b.firstJoin) || a.displayName.localeCompare(b.displayName));
}
