import type { CaptionLanguage, CaptionerAssignment } from '../../contract';

/**
 * The rules of live captions, free of I/O: who sees a line, whether someone may caption a language,
 * how long a typed line is shown, and where a recognised utterance sits in the session.
 */

/**
 * Whether a viewer sees a line said in `lineGroup`. Breakout groups see and hear only themselves, so a
 * group's captions stay in the group; the main room is the floor, whose captions every group sees too
 * (as they get the hosts' broadcasts). Without a round everyone sees everything.
 */
export function seesLine(viewerGroup: number | null, lineGroup: number | null, roundOpen: boolean): boolean {
  if (!roundOpen || lineGroup === null) return true;
  return viewerGroup === lineGroup;
}

/** Whether `userId` is assigned to caption into `language` here. */
export const mayCaption = (assignments: readonly CaptionerAssignment[], userId: string, language: CaptionLanguage): boolean =>
  assignments.some((a) => a.userId === userId && a.language === language);

/** Languages with captions now: the captioners', then the automatic captions' when on, in list order. */
export function captionedLanguages(all: readonly CaptionLanguage[], assignments: readonly CaptionerAssignment[], automatic: CaptionLanguage | null): CaptionLanguage[] {
  const set = new Set<CaptionLanguage>(assignments.map((a) => a.language));
  if (automatic) set.add(automatic);
  return all.filter((l) => set.has(l));
}

/**
 * How long a typed line stays up in the file: long enough to read (about 15 characters a second),
 * at least two seconds and at most eight. A typed line is shown from the moment it is committed.
 */
export function readingMs(text: string): number {
  return Math.min(8_000, Math.max(2_000, Math.round((text.length / 15) * 1000)));
}

/** A typed line's cue: from its commit, for its reading time, as offsets from the session's start. */
export function typedCue(committedAt: number, sessionStart: number, text: string): { startMs: number; endMs: number } {
  const startMs = Math.max(0, Math.round(committedAt - sessionStart));
  return { startMs, endMs: startMs + readingMs(text) };
}

/**
 * A recognised utterance's cue from the wall times of its first and last word, as offsets from the
 * session's start; never before the session, never of zero length.
 */
export function spokenCue(startWall: number, endWall: number, sessionStart: number): { startMs: number; endMs: number } {
  const startMs = Math.max(0, Math.round(startWall - sessionStart));
  return { startMs, endMs: Math.max(startMs + 1, Math.round(endWall - sessionStart)) };
}
