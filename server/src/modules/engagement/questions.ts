import { createHmac } from 'node:crypto';
import type { QuestionAction, QuestionInfo, QuestionStatus } from '../../contract';

/** Rules of Q&A: what moderation does to a question, the order questions are shown in, and authorship keys. */

export interface QuestionState {
  status: QuestionStatus;
  pinned: boolean;
  answer: string | null;
}

export type Moderation = { action: 'answer-text'; answer: string } | { action: Exclude<QuestionAction, 'answer-text'> };

/** The state after a moderation, or CONFLICT. A dismissed question must be reopened before anything else. */
export function moderate(q: QuestionState, m: Moderation): QuestionState | 'CONFLICT' {
  const dismissed = q.status === 'dismissed';
  switch (m.action) {
    case 'answer-live':
      return dismissed ? 'CONFLICT' : { ...q, status: 'answering' };
    case 'answer-text':
      return dismissed ? 'CONFLICT' : { ...q, status: 'answered', answer: m.answer };
    case 'pin':
      return dismissed ? 'CONFLICT' : { ...q, pinned: true };
    case 'unpin':
      return { ...q, pinned: false };
    case 'dismiss':
      return { ...q, status: 'dismissed', pinned: false };
    case 'reopen':
      return { ...q, status: 'open', answer: null };
  }
}

/** Pinned first, dismissed last, then most votes, then oldest (the first to ask is not overtaken by a tie). */
export function questionOrder(a: Pick<QuestionInfo, 'pinned' | 'status' | 'votes' | 'createdAt' | 'id'>, b: typeof a): number {
  return (
    Number(b.pinned) - Number(a.pinned) ||
    Number(a.status === 'dismissed') - Number(b.status === 'dismissed') ||
    b.votes - a.votes ||
    Date.parse(a.createdAt) - Date.parse(b.createdAt) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/**
 * Who asked a question, known only to the server: a keyed hash of room, person and request id. It
 * makes a retried ask idempotent and lets the author see "mine", yet without the server's secret the
 * stored rows link an anonymous question to nobody, not even to the same person's other questions.
 */
export const authorKey = (secret: string, roomId: string, userId: string, clientRequestId: string): string =>
  createHmac('sha256', secret).update(`quorum/qa-author\0${roomId}\0${userId}\0${clientRequestId}`).digest('base64url');
