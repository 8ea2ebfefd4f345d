import { z } from 'zod';
import { CHANNEL_LANGUAGES } from './interpretation';
import { plainText } from './text';

/**
 * Live captions: lines typed by captioners whom hosts assign per room and per language (CART), and
 * automatic captions recognised from the floor's microphones when hosts turn them on. Every committed
 * line is stored with its session before anyone sees it, and each session's captions download as
 * WebVTT per language. Merged into socket.ts.
 */

/** Caption languages: the spoken languages of interpretation channels (sign language has no captions). */
export const CAPTION_LANGUAGES = CHANNEL_LANGUAGES.filter((l): l is Exclude<(typeof CHANNEL_LANGUAGES)[number], 'sign'> => l !== 'sign');
export type CaptionLanguage = Exclude<(typeof CHANNEL_LANGUAGES)[number], 'sign'>;
export const captionLanguage = z.enum(CAPTION_LANGUAGES as [CaptionLanguage, ...CaptionLanguage[]]);

/** Longest committed line; a captioner commits with Enter long before this. */
export const CAPTION_MAX_LENGTH = 500;
/** Lines a person gets back on joining or turning captions on (the overlay shows the last few). */
export const CAPTION_RECENT_LINES = 20;

export type CaptionSource = 'typed' | 'automatic';

export interface CaptionerAssignment {
  userId: string;
  displayName: string;
  language: CaptionLanguage;
}

/** One committed line, as stored. Offsets are milliseconds from the start of the room session. */
export interface CaptionLine {
  id: string;
  sessionId: string;
  language: CaptionLanguage;
  text: string;
  /** Who spoke (automatic) or whom the captioner captioned for (typed: the captioner); null when unknown. */
  speaker: string | null;
  source: CaptionSource;
  startMs: number;
  endMs: number;
  /** The breakout group it was said in; null for the main room (the floor), which every group sees too. */
  group: number | null;
}

/** What is being typed or recognised right now, replaced by the next partial and cleared by the line. */
export interface CaptionPartial {
  /** The captioner's or the speaker's peer id: one partial line per source. */
  key: string;
  language: CaptionLanguage;
  text: string;
  speaker: string | null;
  source: CaptionSource;
  group: number | null;
}

/** Automatic captions of a room: the host's switch, the floor's language, and whether they can run here. */
export interface AutomaticCaptions {
  enabled: boolean;
  /** The language the floor speaks, which the recogniser listens for. */
  language: CaptionLanguage;
  /** A recogniser is configured and works for `language`; otherwise `reason` says why not. */
  available: boolean;
  reason: string | null;
  /** The recogniser in use (`offline`: pocketsphinx on this server; `websocket`: a Vosk-protocol server). */
  provider: 'offline' | 'websocket' | null;
  /** The languages the configured recogniser offers. */
  languages: CaptionLanguage[];
}

export interface CaptionsState {
  captioners: CaptionerAssignment[];
  automatic: AutomaticCaptions;
  /** Languages with captions in this room now: the captioners' and, when on, the automatic captions'. */
  languages: CaptionLanguage[];
  /** Your own assignments (the languages you may caption into). */
  mine: CaptionLanguage[];
  /** The last lines you can see, oldest first. */
  recent: CaptionLine[];
}

const id = z.uuid();
const requestId = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/);

export const captionsCommandSchemas = {
  /** Everything about captions in this room, as you see it. */
  'captions:state': z.strictObject({}),
  /** Hosts: makes someone a captioner of this room into `language` (several languages may be given one by one). */
  'captions:assign': z.strictObject({ userId: id, language: captionLanguage }),
  /** Hosts: ends one assignment, or all of a person's when `language` is left out. */
  'captions:unassign': z.strictObject({ userId: id, language: captionLanguage.optional() }),
  /** A captioner's line as it is being typed (empty: cleared). Shown, never stored. */
  'captions:partial': z.strictObject({ language: captionLanguage, text: z.string().max(CAPTION_MAX_LENGTH) }),
  /** A captioner commits a line (Enter). Answered once it is stored; the retry of the same request is answered alike. */
  'captions:line': z.strictObject({ clientRequestId: requestId, language: captionLanguage, text: plainText(1, CAPTION_MAX_LENGTH) }),
  /** Hosts: automatic captions of the floor on or off, in the floor's language. */
  'captions:automatic': z.strictObject({ enabled: z.boolean(), language: captionLanguage.optional() }),
} as const;

export interface CaptionsResults {
  'captions:state': CaptionsState;
  'captions:assign': { captioners: CaptionerAssignment[] };
  'captions:unassign': { captioners: CaptionerAssignment[] };
  'captions:partial': { shown: true };
  'captions:line': CaptionLine;
  'captions:automatic': AutomaticCaptions;
}

export interface CaptionsEvents {
  /** A committed line, to everyone who can see its source (its breakout group, or everyone for the floor). */
  'captions:line': (e: CaptionLine) => void;
  /** Volatile: the line being typed or recognised. */
  'captions:partial': (e: CaptionPartial) => void;
  /** Captioners or the automatic captions changed (`mine`: the languages you caption into now). */
  'captions:changed': (e: { captioners: CaptionerAssignment[]; automatic: AutomaticCaptions; languages: CaptionLanguage[]; mine: CaptionLanguage[] }) => void;
}

/** One session of a room with the caption languages you may download. */
export interface CaptionedSessionDto {
  sessionId: string;
  startedAt: string;
  endedAt: string | null;
  languages: { language: CaptionLanguage; lines: number }[];
}
