import { z } from 'zod';
import { ENVELOPE_BYTES, SEALED_SHARE_BYTES } from './ballot-crypto';
import { LANGUAGE_CODES, type Language } from './languages';
import { plainText } from './text';

/** Formal decisions: meetings, agenda, motions, voter roll, proxies, ballots, results. */

const id = z.uuid();
const requestId = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/);
const title = plainText(1, 300);
const text = plainText(0, 20_000);

export const MAJORITY_RULES = ['simple', 'absolute-present', 'two-thirds-cast', 'majority-entitled'] as const;
export const QuorumRuleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('majority-of-entitled') }),
  z.strictObject({ kind: z.literal('at-least'), seats: z.int().min(1).max(100_000) }),
  z.strictObject({ kind: z.literal('fraction'), numerator: z.int().min(1).max(100), denominator: z.int().min(1).max(100) }).refine((f) => f.numerator <= f.denominator, {
    message: 'a fraction of at most 1',
  }),
]);
export type QuorumRule = z.infer<typeof QuorumRuleSchema>;

/** Languages a meeting can be held in (its minutes are written in it): those the interface speaks. */
export const MEETING_LANGUAGES = LANGUAGE_CODES;
export type MeetingLanguage = Language;

export const CreateMeetingBody = z.strictObject({
  title,
  /** The creating client sends its interface language; English when none is given. */
  language: z.enum(MEETING_LANGUAGES).default('en'),
  kind: z.enum(['board', 'general-assembly']).default('general-assembly'),
  roomId: id.optional(),
  scheduledAt: z.iso.datetime({ offset: true }),
  voterBasis: z.enum(['institutions', 'members']).default('institutions'),
  quorumRule: QuorumRuleSchema.default({ kind: 'majority-of-entitled' }),
  chairId: id.optional(),
  secretaryId: id.optional(),
  /** Who holds secret ballots' keys; none named: whoever opens a ballot is its only teller. */
  tellers: z.array(id).max(20).optional(),
  /** How many tellers must release their shares for a count. */
  tellerThreshold: z.int().min(1).max(20).optional(),
});
export type CreateMeetingBody = z.input<typeof CreateMeetingBody>;

export const AgendaItemBody = z.strictObject({ title, description: text.optional() });

export const CreateMotionBody = z.strictObject({
  agendaItemId: id.optional(),
  /** Set for an amendment: it is decided before the motion it amends. */
  amendsMotionId: id.optional(),
  title,
  text: text.min(1),
});

export const MOTION_EVENTS = ['submit', 'second', 'debate', 'withdraw', 'refer'] as const;
export const MotionTransitionBody = z.strictObject({ event: z.enum(MOTION_EVENTS) });

export const BALLOT_CHOICES = ['yes', 'no', 'abstain'] as const;
export type BallotChoice = (typeof BALLOT_CHOICES)[number];

export const CreateBallotBody = z
  .strictObject({
    motionId: id.optional(),
    election: z
      .strictObject({
        title,
        candidates: z.array(plainText(1, 200)).min(2).max(100),
        seats: z.int().min(1).max(50),
        maxChoices: z.int().min(1).max(50),
      })
      .refine((e) => new Set(e.candidates).size === e.candidates.length, { message: 'candidates must differ' })
      .refine((e) => e.maxChoices <= e.candidates.length && e.seats < e.candidates.length + 1, { message: 'seats and choices must fit the candidates' })
      .optional(),
    secrecy: z.enum(['roll-call', 'secret']).default('roll-call'),
    rule: z.enum(MAJORITY_RULES).default('simple'),
    abstentionsCount: z.boolean().default(false),
    /** "Last one counts" while the ballot is open. Off by default. */
    allowRevote: z.boolean().default(false),
    /** Closes by itself after this many seconds. */
    durationSeconds: z.int().min(10).max(86_400).optional(),
  })
  .refine((b) => !!b.motionId !== !!b.election, { message: 'a ballot is on a motion or an election, not both' });
export type CreateBallotBody = z.input<typeof CreateBallotBody>;

/** base64url of exactly `bytes` bytes. */
const sealed = (bytes: number) => z.string().length(Math.ceil((bytes * 4) / 3)).regex(/^[A-Za-z0-9_-]+$/);
/** A raw X25519 public key, base64url. */
export const PublicKeySchema = sealed(32);

export const SetTellersBody = z
  .strictObject({ tellers: z.array(id).min(1).max(20), threshold: z.int().min(1).max(20) })
  .refine((b) => new Set(b.tellers).size === b.tellers.length && b.threshold <= b.tellers.length, { message: 'distinct tellers, and a threshold no larger than their number' });

/** Registers the public half of the caller's teller key (the private half never leaves their device). */
export const TellerKeyBody = z.strictObject({ publicKey: PublicKeySchema });

export const OpenBallotBody = z.strictObject({
  overrideQuorumReason: plainText(5, 1000).optional(),
  /**
   * A secret ballot's key, made on the opener's device: its public half, and its private half split
   * among the tellers, each share sealed to one teller's key. The server never sees the private key.
   */
  key: z
    .strictObject({
      publicKey: PublicKeySchema,
      shares: z.array(z.strictObject({ tellerId: id, sealedShare: sealed(SEALED_SHARE_BYTES) })).min(1).max(20),
    })
    .optional(),
});

/** A teller's share of a ballot's key, opened on their device, released for the count. */
export const ReleaseShareBody = z.strictObject({ share: sealed(33) });

/** A secret vote as it travels: sealed on the voter's device to the ballot's public key. */
const envelope = sealed(ENVELOPE_BYTES);

export const PROXY_INSTRUCTIONS = ['yes', 'no', 'abstain', 'free'] as const;
export const AssignProxyBody = z.strictObject({
  seatId: id,
  holderId: id,
  /** Per motion: how the proxy must vote; motions not listed are free. */
  instructions: z.record(z.uuid(), z.enum(PROXY_INSTRUCTIONS)).refine((r) => Object.keys(r).length <= 200).default({}),
});

/** A ballot choice: yes/no/abstain on a motion, or the candidates chosen in an election (empty = abstain). */
export const ChoiceSchema = z.union([z.enum(BALLOT_CHOICES), z.array(z.string().min(1).max(200)).max(50)]);
export type Choice = z.infer<typeof ChoiceSchema>;

export const governanceCommandSchemas = {
  /** Live updates of a meeting: ballots opening and closing, turnout, quorum. */
  'meeting:watch': z.strictObject({ meetingId: id }),
  /** A roll-call vote carries its choice; a secret one its envelope, never the choice. */
  'ballot:cast': z
    .strictObject({ clientRequestId: requestId, ballotId: id, seatId: id, choice: ChoiceSchema.optional(), envelope: envelope.optional() })
    .refine((c) => (c.choice === undefined) !== (c.envelope === undefined), { message: 'a choice or an envelope' }),
  /**
   * A proxy holder's shortcut: one choice for every seat they hold (roll-call), or one envelope per seat
   * (secret); instructed seats follow their instruction.
   */
  'ballot:cast-all': z
    .strictObject({
      clientRequestId: requestId,
      ballotId: id,
      choice: ChoiceSchema.optional(),
      envelopes: z.array(z.strictObject({ seatId: id, envelope })).min(1).max(200).optional(),
    })
    .refine((c) => (c.choice === undefined) !== (c.envelopes === undefined), { message: 'a choice or envelopes' }),
} as const satisfies Record<string, z.ZodType>;

/* ---------- views ---------- */

export interface SeatView {
  seatId: string;
  label: string;
  weight: number;
  /** How you hold it: as its delegate/member, or as proxy. */
  as: 'own' | 'proxy';
  instruction: (typeof PROXY_INSTRUCTIONS)[number] | null;
  voted: boolean;
}

export interface QuorumView {
  entitled: number;
  present: number;
  represented: number;
  counted: number;
  required: number;
  met: boolean;
}

export interface BallotView {
  id: string;
  meetingId: string;
  motionId: string | null;
  title: string;
  kind: 'motion' | 'election';
  options: string[];
  seats: number;
  maxChoices: number;
  secrecy: 'roll-call' | 'secret';
  rule: (typeof MAJORITY_RULES)[number];
  abstentionsCount: boolean;
  allowRevote: boolean;
  /** `counting`: voting has ended and the count waits for the tellers' key shares. */
  status: 'draft' | 'open' | 'counting' | 'closed' | 'published';
  openedAt: string | null;
  closesAt: string | null;
  closedAt: string | null;
  /** Ballots returned so far over seats on the roll (counts only, during voting). */
  turnout: { cast: number; entitled: number } | null;
  quorumOverride: string | null;
  /** Only once published. */
  result: BallotResult | null;
  /** A secret ballot's X25519 public key (base64url), the key its envelopes are sealed to. */
  publicKey: string | null;
  /** A secret ballot's tellers and whether each has released their share; how many shares the count needs. */
  tellers: { userId: string; displayName: string; released: boolean }[] | null;
  keyThreshold: number | null;
  /** Envelopes that held no valid choice, once counted. */
  spoiled: number | null;
  /** Position and hash of the meeting's record when the result was published. */
  record: RecordHead | null;
}

/** A point of a meeting's hash-chained record: an anchor anyone can compare an export against. */
export interface RecordHead {
  seq: number;
  hash: string;
}

export interface RecordKeyView {
  algorithm: 'Ed25519';
  /** Raw 32-byte public key, base64. */
  publicKey: string;
  keyId: string;
}

export type BallotResult =
  | { kind: 'motion'; yes: number; no: number; abstain: number; cast: number; base: number; needed: number; outcome: 'carried' | 'lost' | 'tie' }
  | { kind: 'election'; counts: { candidate: string; votes: number }[]; elected: string[]; tied: string[]; abstentions: number; cast: number; outcome: 'decided' | 'tie' };

export interface CastReceipt {
  ballotId: string;
  seatId: string;
  /**
   * Keep it: after publication it is on the bulletin board (as a hash) with the choice counted. Null
   * for a secret vote sealed on the voter's device: the receipt is inside the envelope, and the
   * device that made it keeps it.
   */
  receipt: string | null;
  /** The record's position and hash at this vote: later edits of the record cannot keep them. */
  recordSeq: number;
  recordHash: string;
}

export type BulletinEntry =
  | { secrecy: 'secret'; receiptHash: string; choice: Choice; weight: number }
  | { secrecy: 'roll-call'; seatId: string; label: string; choice: Choice; weight: number; receiptHash: string };

export interface MotionView {
  id: string;
  agendaItemId: string | null;
  amendsMotionId: string | null;
  title: string;
  text: string;
  moverId: string;
  moverName: string;
  seconderId: string | null;
  seconderName: string | null;
  status: 'draft' | 'submitted' | 'seconded' | 'debate' | 'voting' | 'carried' | 'lost' | 'withdrawn' | 'referred';
}

export interface MeetingView {
  id: string;
  organizationId: string;
  roomId: string | null;
  title: string;
  kind: 'board' | 'general-assembly';
  scheduledAt: string;
  language: MeetingLanguage;
  voterBasis: 'institutions' | 'members';
  quorumRule: QuorumRule;
  chairId: string;
  secretaryId: string | null;
  agenda: { id: string; position: number; title: string; description: string | null }[];
  motions: MotionView[];
  ballots: BallotView[];
  quorum: QuorumView;
  /** The caller's seats (own and by proxy). */
  mySeats: SeatView[];
  isChair: boolean;
  /** Who holds secret ballots' keys (empty: whoever opens a ballot), and how many must release for a count. */
  tellers: { userId: string; displayName: string }[];
  tellerThreshold: number;
  /** Whether the caller may download the minutes and the export (the meeting permission table's `record.export`). */
  canExport: boolean;
}

/** What the opener's device needs to make a secret ballot's key: each teller's public key. */
export interface BallotKeyPlan {
  threshold: number;
  tellers: { userId: string; displayName: string; publicKey: string | null }[];
}

export interface GovernanceResults {
  'meeting:watch': { meetingId: string; quorum: QuorumView; openBallots: BallotView[]; mySeats: SeatView[] };
  'ballot:cast': CastReceipt;
  'ballot:cast-all': { receipts: CastReceipt[] };
}

export interface GovernanceEvents {
  'ballot:opened': (e: BallotView) => void;
  /** Counts only; never who or what. */
  'ballot:turnout': (e: { ballotId: string; cast: number; entitled: number }) => void;
  /** Voting has ended (`counting`), or the ballot has been counted (`closed`). */
  'ballot:closed': (e: BallotView) => void;
  /** A teller released their key share; the count follows once enough have. */
  'ballot:tellers': (e: BallotView) => void;
  'result:published': (e: BallotView) => void;
  'quorum:changed': (e: { meetingId: string; quorum: QuorumView }) => void;
  /** A motion was moved or changed status: the chair's console and members' views follow it live. */
  'motion:changed': (e: { meetingId: string; motion: MotionView }) => void;
}
