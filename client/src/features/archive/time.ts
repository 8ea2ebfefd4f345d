/**
 * Times within a recording, as a player shows them: `m:ss`, or `h:mm:ss` from an hour on. Digits are
 * Latin in every language (as on every player's clock). Pure.
 */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** The chapter playing at `time`: the last one started by then and not yet ended; -1 for none. */
export function chapterAt(chapters: readonly { startSeconds: number; endSeconds: number }[], time: number): number {
  let found = -1;
  chapters.forEach((c, i) => {
    if (c.startSeconds <= time && time < c.endSeconds) found = i;
  });
  return found;
}

/** `url` with a query parameter added, whether or not it has a query already. */
export const withParam = (url: string, key: string, value: string): string =>
  `${url}${url.includes('?') ? '&' : '?'}${encodeURIComponent(key)}=${encodeURIComponent(value)}`;

/** Subjects as typed, one per line (or separated by semicolons): trimmed, empty ones dropped, each once. */
export const parseSubjects = (text: string): string[] => [
  ...new Set(
    text
      .split(/[\n;]+/)
      .map((s) => s.trim())
      .filter(Boolean),
  ),
];
