import { z } from 'zod';
import { plainText, storable } from './text';

/**
 * The archive of recordings: what each recording is (Dublin Core), who may watch it, how long it is
 * kept, its files with their SHA-256, chapters for the player, and its deletion (a tombstone stays).
 */

/** The states a recording passes through (the recorder writes the first three, the archive `deleted`). */
export const RECORDING_STATES = ['recording', 'processing', 'ready', 'failed', 'deleted'] as const;
export type RecordingState = (typeof RECORDING_STATES)[number];

/**
 * Who may watch a recording and fetch its files: `public` anyone, signed in or not; `members` the
 * organisation's members; `hosts` its owners and admins and the room's hosts. The server's one rule is
 * `server/src/modules/archive/recording-access.ts`.
 */
export const RECORDING_ACCESS_LEVELS = ['public', 'members', 'hosts'] as const;
export type RecordingAccess = (typeof RECORDING_ACCESS_LEVELS)[number];

/** What a stored file is (as the recorder registers it). */
export const RECORDING_FILE_KINDS = ['track', 'composite', 'hls', 'captions', 'poster', 'metadata'] as const;
export type RecordingFileKindName = (typeof RECORDING_FILE_KINDS)[number];

const validDate = (y: number, m: number, d: number) => {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
};

/** A calendar day, YYYY-MM-DD, that exists. */
export const calendarDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD')
  .refine((s) => validDate(Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10))), { message: 'no such day' });

const W3CDTF =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d))?)?)?$/;

/** Dublin Core's date in W3CDTF: a year, a month, a day, or an instant with its offset. */
export const w3cdtf = z
  .string()
  .max(40)
  .regex(W3CDTF, 'a W3CDTF date: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss]Z')
  .refine(
    (s) => {
      const [, y, m, d] = W3CDTF.exec(s) ?? [];
      if (m === undefined) return true;
      if (Number(m) < 1 || Number(m) > 12) return false;
      return d === undefined || validDate(Number(y), Number(m), Number(d));
    },
    { message: 'no such date' },
  );

/** A BCP 47 language tag (`en`, `zh-Hans`, `pt-BR`). */
export const languageTag = z
  .string()
  .max(35)
  .regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, 'a BCP 47 language tag such as en, zh-Hans or pt-BR');

/** The fifteen-element set's part Quorum keeps: what a library catalogue needs to describe a recording. */
export const DublinCoreFields = {
  title: plainText(1, 500),
  creator: plainText(1, 500),
  subject: z.array(plainText(1, 200)).max(50),
  description: plainText(0, 10_000),
  language: languageTag,
  rights: plainText(0, 2_000),
  date: w3cdtf,
};

/** Metadata, access and retention; each field optional, at least one given. `retainUntil: null` keeps it for good. */
export const UpdateRecordingBody = z
  .strictObject({
    title: DublinCoreFields.title.optional(),
    creator: DublinCoreFields.creator.optional(),
    subject: DublinCoreFields.subject.optional(),
    description: DublinCoreFields.description.optional(),
    language: DublinCoreFields.language.optional(),
    rights: DublinCoreFields.rights.optional(),
    date: DublinCoreFields.date.optional(),
    access: z.enum(RECORDING_ACCESS_LEVELS).optional(),
    /** Kept until the end of this day (UTC); null: kept until someone deletes it. */
    retainUntil: calendarDay.nullable().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to change' });
export type UpdateRecordingBody = z.infer<typeof UpdateRecordingBody>;

/**
 * Deleting a recording needs a reason, kept in its tombstone (and in a formal meeting's audit log):
 * a reason shorter than three characters is DELETION_REASON_REQUIRED.
 */
export const DeleteRecordingBody = z.strictObject({
  reason: z.string().max(1_000).refine(storable, { message: 'must not contain NUL characters or broken Unicode' }).optional(),
});
export type DeleteRecordingBody = z.infer<typeof DeleteRecordingBody>;
export const DELETION_REASON_MIN = 3;

/** An organisation's defaults for its new recordings. */
export const ArchivePolicyBody = z.strictObject({
  defaultAccess: z.enum(RECORDING_ACCESS_LEVELS),
  /** Days a new recording is kept after it ends; null: kept until deleted. */
  retentionDays: z.int().min(1).max(36_500).nullable(),
});
export type ArchivePolicyBody = z.infer<typeof ArchivePolicyBody>;
export type ArchivePolicyDto = ArchivePolicyBody & { organizationId: string };

/** Filters of a list of recordings (newest first); `before` pages on: the `startedAt` of the last one seen. */
export const RecordingListQuery = z.object({
  /**
   * Words to find in the title, description or subjects. Words only (letters, digits, spaces and the
   * punctuation titles use): wildcards, operators and escapes are refused rather than interpreted.
   */
  q: plainText(2, 200)
    .regex(/^[\p{L}\p{M}\p{N}\p{Zs}'’".,:;!?()&/+#-]+$/u, 'words, digits, spaces and common punctuation')
    .optional(),
  language: languageTag.min(2).optional(),
  access: z.enum(RECORDING_ACCESS_LEVELS).optional(),
  status: z.enum(RECORDING_STATES).optional(),
  from: calendarDay.optional(),
  to: calendarDay.optional(),
  before: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
export type RecordingListQuery = z.infer<typeof RecordingListQuery>;
/** The query parameters above, for the API's documentation. */
export const RECORDING_LIST_PARAMS = ['q', 'language', 'access', 'status', 'from', 'to', 'before', 'limit'] as const;

export const CHAPTER_SOURCES = ['agenda', 'programme'] as const;
export type ChapterSource = (typeof CHAPTER_SOURCES)[number];

/** A chapter of a recording, in seconds from its start. */
export interface ChapterDto {
  title: string;
  startSeconds: number;
  endSeconds: number;
  source: ChapterSource;
  /** The agenda item's number, or the programme session's id. */
  ref: string;
}

export interface RecordingFileDto {
  id: string;
  kind: RecordingFileKindName;
  path: string;
  mediaType: string;
  bytes: number;
  sha256: string;
  language: string | null;
}

export interface DublinCoreDto {
  title: string;
  creator: string;
  subject: string[];
  description: string;
  language: string | null;
  rights: string;
  date: string;
}

export interface TombstoneDto {
  deletedAt: string;
  deletedBy: string | null;
  deletedByName: string | null;
  reason: string;
}

export interface RecordingSummaryDto {
  id: string;
  organizationId: string;
  organizationName: string;
  roomId: string;
  roomName: string;
  meetingId: string | null;
  meetingTitle: string | null;
  eventId: string | null;
  eventTitle: string | null;
  eventSessionId: string | null;
  status: RecordingState;
  startedAt: string;
  endedAt: string | null;
  durationSeconds: number | null;
  metadata: DublinCoreDto;
  access: RecordingAccess;
  retainUntil: string | null;
  deletion: TombstoneDto | null;
}

/** Where the player and the download buttons fetch from; null when the recording has no such file. */
export interface RecordingMediaDto {
  /** The HLS master playlist. */
  hls: string | null;
  mp4: string | null;
  captions: { language: string | null; url: string; path: string }[];
  /** The BagIt preservation package (tar). */
  package: string | null;
}

export interface RecordingDto extends RecordingSummaryDto {
  files: RecordingFileDto[];
  chapters: ChapterDto[];
  /** Null for a tombstone or a recording not ready yet. */
  media: RecordingMediaDto | null;
  /** Until when the links in `media` work (they carry a token bound to the viewer); null when they need none. */
  mediaExpiresAt: string | null;
  canEdit: boolean;
  canDelete: boolean;
}
