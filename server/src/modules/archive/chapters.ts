import type { ChapterDto } from '../../contract';

/**
 * Chapters of a recording, in seconds from its start: a formal meeting's agenda items, or the sessions
 * of an event's programme held in the recording's room. Pure.
 */

export interface RecordingSpan {
  startedAt: Date;
  /** Seconds from start to end. */
  durationSeconds: number;
}

export interface AgendaItem {
  id: string;
  position: number;
  title: string;
}

/** A moment the meeting did business on an agenda item (a motion moved or moved on, a ballot on it). */
export interface AgendaBusiness {
  agendaItemId: string;
  at: Date;
}

export interface ProgrammeSession {
  id: string;
  title: string;
  startsAt: Date;
  endsAt: Date;
}

interface Span {
  title: string;
  ref: string;
  from: number;
  to: number;
}

/** Seconds to the millisecond, so that a chapter lands on the same frame in every player. */
const seconds = (ms: number) => Math.round(ms) / 1000;

/** The spans that overlap the recording, clamped to it, in order; empty or outside ones are skipped. */
function clamp(spans: Span[], rec: RecordingSpan, source: ChapterDto['source']): ChapterDto[] {
  const start = rec.startedAt.getTime();
  const end = start + rec.durationSeconds * 1000;
  return spans
    .filter((s) => s.from < end && s.to > start)
    .map((s) => ({
      title: s.title,
      ref: s.ref,
      source,
      startSeconds: seconds(Math.max(s.from, start) - start),
      endSeconds: seconds(Math.min(s.to, end) - start),
    }))
    .filter((c) => c.endSeconds > c.startSeconds)
    .sort((a, b) => a.startSeconds - b.startSeconds || a.ref.localeCompare(b.ref, 'en', { numeric: true }));
}

/**
 * An agenda item begins when the meeting first does business on it and runs until the next item
 * begins (the last one until the recording ends). Items the meeting never did business on have no time
 * and get no chapter.
 */
export function agendaChapters(items: readonly AgendaItem[], business: readonly AgendaBusiness[], rec: RecordingSpan): ChapterDto[] {
  const first = new Map<string, number>();
  for (const b of business) {
    const t = b.at.getTime();
    if (Number.isFinite(t) && t < (first.get(b.agendaItemId) ?? Infinity)) first.set(b.agendaItemId, t);
  }
  const timed = items
    .filter((i) => first.has(i.id))
    .map((i) => ({ item: i, from: first.get(i.id)! }))
    .sort((a, b) => a.from - b.from || a.item.position - b.item.position);
  const end = rec.startedAt.getTime() + rec.durationSeconds * 1000;
  const spans = timed.map(({ item, from }, k) => ({
    title: item.title,
    ref: String(item.position),
    from,
    to: Math.max(from, timed[k + 1]?.from ?? Math.max(end, from)),
  }));
  return clamp(spans, rec, 'agenda');
}

/** Each programme session is a chapter for the part of it the recording holds. */
export function programmeChapters(sessions: readonly ProgrammeSession[], rec: RecordingSpan): ChapterDto[] {
  return clamp(
    sessions.map((s) => ({ title: s.title, ref: s.id, from: s.startsAt.getTime(), to: s.endsAt.getTime() })),
    rec,
    'programme',
  );
}
