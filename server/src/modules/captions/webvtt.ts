/**
 * WebVTT (https://www.w3.org/TR/webvtt1/) of one session's captions in one language: the file a
 * person downloads and a recording carries. Pure: lines in, text out.
 */

export interface VttCue {
  /** Milliseconds from the start of the session. */
  startMs: number;
  endMs: number;
  text: string;
  /** Shown as the cue's voice (`<v Name>`); none when null or empty. */
  speaker?: string | null;
  /** Automatic captions carry the `automatic` class on their voice, so players and readers can tell them apart. */
  automatic?: boolean;
}

/** `hh:mm:ss.ttt`; hours grow past two digits rather than wrap. */
export function vttTimestamp(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const s = Math.floor((total % 60_000) / 1000);
  const t = total % 1000;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(t).padStart(3, '0')}`;
}

/**
 * Cue text as WebVTT wants it: `&`, `<` and `>` as character references (so `-->` can never end up in
 * a cue, and nobody's words become markup), and line breaks as spaces (a blank line would end the cue).
 */
export function escapeCueText(text: string): string {
  return text
    .replace(/\r\n|[\r\n\u2028\u2029]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .trim();
}

/** A voice annotation: as cue text, and a name of only spaces is no name. */
const voice = (speaker: string | null | undefined, automatic: boolean | undefined): string => {
  const name = speaker ? escapeCueText(speaker) : '';
  if (!name && !automatic) return '';
  return `<v${automatic ? '.automatic' : ''}${name ? ` ${name}` : ''}>`;
};

/** The shortest a cue lasts, so that a line committed at one instant is still shown. */
export const MIN_CUE_MS = 500;

/**
 * The file: cues ordered by start (then end, then as given), each at least MIN_CUE_MS long.
 * Overlapping cues stay as they are: two people speaking at once are shown at once, which WebVTT allows.
 */
export function buildWebVtt(cues: readonly VttCue[], note?: string): string {
  const ordered = cues
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => escapeCueText(c.text) !== '')
    .sort((a, b) => a.c.startMs - b.c.startMs || a.c.endMs - b.c.endMs || a.i - b.i)
    .map(({ c }) => c);
  const out = ['WEBVTT', ''];
  if (note) out.push(`NOTE ${escapeCueText(note).replace(/-->/g, '--')}`, '');
  ordered.forEach((c, n) => {
    const start = Math.max(0, Math.round(c.startMs));
    const end = Math.max(start + MIN_CUE_MS, Math.round(c.endMs));
    out.push(String(n + 1), `${vttTimestamp(start)} --> ${vttTimestamp(end)}`, `${voice(c.speaker, c.automatic)}${escapeCueText(c.text)}`, '');
  });
  return out.join('\n');
}

/**
 * The cues seen during a part of the session (a recording from `fromMs` to `toMs`, null: to the end),
 * with times from the start of that part: a cue under way when it starts begins at 0, one still
 * showing when it ends stops there.
 */
export function cuesWithin(cues: readonly VttCue[], fromMs: number, toMs: number | null): VttCue[] {
  return cues
    .filter((c) => Math.max(c.endMs, c.startMs + MIN_CUE_MS) > fromMs && (toMs === null || c.startMs < toMs))
    .map((c) => ({
      ...c,
      startMs: Math.max(0, c.startMs - fromMs),
      endMs: (toMs === null ? c.endMs : Math.min(c.endMs, toMs)) - fromMs,
    }));
}
