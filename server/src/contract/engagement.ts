import { z } from 'zod';
import { plainText } from './text';

/**
 * Socket commands and events of room engagement: chat, Q&A, polls and reactions. Merged into the
 * one contract in socket.ts.
 */

const id = z.uuid();
/** Same shape as socket.ts's `clientRequestId` (which imports this file, so it cannot be imported here). */
const requestId = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/);
/** Plain text of at least one character, trimmed, that PostgreSQL can hold (text.ts). */
const text = (max: number) => plainText(1, max);

export const CHAT_MAX_LENGTH = 2000;
export const QUESTION_MAX_LENGTH = 1000;
export const ANSWER_MAX_LENGTH = 2000;
export const POLL_QUESTION_MAX_LENGTH = 300;
export const POLL_OPTION_MAX_LENGTH = 200;
export const POLL_MAX_OPTIONS = 10;

export const CHAT_AUDIENCES = ['everyone', 'hosts'] as const;
export type ChatAudience = (typeof CHAT_AUDIENCES)[number];

export const QUESTION_STATUSES = ['open', 'answering', 'answered', 'dismissed'] as const;
export type QuestionStatus = (typeof QUESTION_STATUSES)[number];
export const QUESTION_ACTIONS = ['answer-live', 'answer-text', 'dismiss', 'pin', 'unpin', 'reopen'] as const;
export type QuestionAction = (typeof QUESTION_ACTIONS)[number];

export const POLL_STATUSES = ['draft', 'open', 'closed'] as const;
export type PollStatus = (typeof POLL_STATUSES)[number];

/** The only reactions accepted; a fixed set keeps the overlay readable and the payload tiny. */
export const REACTIONS = ['👍', '👏', '❤️', '😂', '😮', '🎉', '🙋'] as const;
export type Reaction = (typeof REACTIONS)[number];

const distinct = <T>(a: T[]) => new Set(a).size === a.length;

export const engagementCommandSchemas = {
  /** Send a chat message; `hosts` reaches only hosts and co-hosts (and the sender). */
  'chat:send': z.strictObject({ clientRequestId: requestId, body: text(CHAT_MAX_LENGTH), audience: z.enum(CHAT_AUDIENCES).default('everyone') }),
  /**
   * Visible messages, returned oldest first: older than `before` (a message id), the newest `limit`
   * of them; or newer than `after`, the oldest `limit` of them (what a client coming back missed).
   * `hasMore`: more beyond the page in the direction asked (older for `before` or none, newer for `after`).
   */
  'chat:history': z
    .strictObject({ before: id.optional(), after: id.optional(), limit: z.int().min(1).max(100).default(100) })
    .refine((p) => !(p.before && p.after), { message: 'before and after cannot be combined' }),
  'chat:delete': z.strictObject({ messageId: id }),

  'qa:ask': z.strictObject({ clientRequestId: requestId, body: text(QUESTION_MAX_LENGTH), anonymous: z.boolean().default(false) }),
  'qa:upvote': z.strictObject({ questionId: id }),
  'qa:unvote': z.strictObject({ questionId: id }),
  'qa:moderate': z.discriminatedUnion('action', [
    z.strictObject({ questionId: id, action: z.literal('answer-text'), answer: text(ANSWER_MAX_LENGTH) }),
    z.strictObject({ questionId: id, action: z.enum(['answer-live', 'dismiss', 'pin', 'unpin', 'reopen']) }),
  ]),
  'qa:list': z.strictObject({}),

  'poll:create': z.strictObject({
    clientRequestId: requestId,
    question: text(POLL_QUESTION_MAX_LENGTH),
    options: z.array(text(POLL_OPTION_MAX_LENGTH)).min(2).max(POLL_MAX_OPTIONS).refine(distinct, { message: 'options must differ' }),
    multiple: z.boolean().default(false),
    anonymous: z.boolean().default(false),
  }),
  'poll:open': z.strictObject({ pollId: id }),
  'poll:close': z.strictObject({ pollId: id }),
  /** Option indexes; a single-choice poll takes exactly one. */
  'poll:vote': z.strictObject({
    pollId: id,
    choices: z
      .array(z.int().min(0).max(POLL_MAX_OPTIONS - 1))
      .min(1)
      .max(POLL_MAX_OPTIONS)
      .refine(distinct, { message: 'choices must differ' }),
  }),
  'poll:list': z.strictObject({}),

  'reaction:send': z.strictObject({ emoji: z.enum(REACTIONS) }),
} as const satisfies Record<string, z.ZodType>;

/* ---------- results and events ---------- */

export interface ChatMessageInfo {
  id: string;
  sessionId: string;
  senderId: string;
  senderName: string;
  audience: ChatAudience;
  /** Plain text exactly as sent (trimmed); render it as text, never as HTML. */
  body: string;
  createdAt: string;
}

/** A question as everyone sees it. An anonymous question carries no trace of its author. */
export interface QuestionInfo {
  id: string;
  body: string;
  anonymous: boolean;
  /** null when anonymous. */
  authorName: string | null;
  status: QuestionStatus;
  pinned: boolean;
  answer: string | null;
  votes: number;
  createdAt: string;
}

/** A question as one person sees it, in command results (events carry QuestionInfo). */
export interface QuestionView extends QuestionInfo {
  mine: boolean;
  votedByMe: boolean;
}

export interface PollInfo {
  id: string;
  question: string;
  options: string[];
  multiple: boolean;
  anonymous: boolean;
  status: PollStatus;
  /** Votes per option, in option order. */
  counts: number[];
  /** People who voted. */
  voters: number;
  createdAt: string;
  openedAt: string | null;
  closedAt: string | null;
}

export interface PollView extends PollInfo {
  voted: boolean;
  /** Your choices: in a named poll always once voted; in an anonymous poll only in the answer to poll:vote. */
  myChoices: number[] | null;
}

export interface PollResults {
  pollId: string;
  counts: number[];
  voters: number;
}

export interface EngagementResults {
  /** A retry with the same clientRequestId answers the stored message again. */
  'chat:send': ChatMessageInfo;
  'chat:history': { messages: ChatMessageInfo[]; hasMore: boolean };
  'chat:delete': { messageId: string };
  'qa:ask': QuestionView;
  'qa:upvote': QuestionView;
  /** Idempotent: unvoting a question you have not voted for answers its current state. */
  'qa:unvote': QuestionView;
  'qa:moderate': QuestionView;
  /** Pinned first, then most votes, then oldest. Dismissed questions only for moderators. */
  'qa:list': { questions: QuestionView[] };
  'poll:create': PollView;
  'poll:open': PollView;
  'poll:close': PollView;
  'poll:vote': PollView;
  /** This session's polls, oldest first; drafts only for those who manage polls. */
  'poll:list': { polls: PollView[] };
  /** `sent: false`: the room's reaction stream was full and this one was dropped (not an error). */
  'reaction:send': { sent: boolean };
}

export interface EngagementEvents {
  'chat:message': (e: ChatMessageInfo) => void;
  'chat:deleted': (e: { messageId: string }) => void;
  /** A question was asked or changed (votes, status, pin, answer). */
  'qa:updated': (e: QuestionInfo) => void;
  /** A question was dismissed: drop it (moderators get qa:updated with status 'dismissed' instead). */
  'qa:removed': (e: { questionId: string }) => void;
  /** To those who manage polls: a draft was created. */
  'poll:created': (e: PollInfo) => void;
  'poll:opened': (e: PollInfo) => void;
  /** Live counts of an open poll, at most a few times a second. */
  'poll:results': (e: PollResults) => void;
  'poll:closed': (e: PollInfo) => void;
  /** Volatile. */
  'reaction:shown': (e: { peerId: string; emoji: Reaction }) => void;
}
