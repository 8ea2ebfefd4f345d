import { QUESTION_ACTIONS, QUESTION_STATUSES, type QuestionStatus } from '../../contract';
import { authorKey, type Moderation, moderate, questionOrder, type QuestionState } from './questions';

const q = (status: QuestionStatus, pinned = false, answer: string | null = null): QuestionState => ({ status, pinned, answer });
const act = (action: (typeof QUESTION_ACTIONS)[number]): Moderation => (action === 'answer-text' ? { action, answer: 'Yes.' } : { action });

describe('moderate', () => {
  it.each([
    [q('open'), 'answer-live', q('answering')],
    [q('open'), 'answer-text', q('answered', false, 'Yes.')],
    [q('answering', true), 'answer-text', q('answered', true, 'Yes.')],
    [q('open'), 'pin', q('open', true)],
    [q('open', true), 'pin', q('open', true)],
    [q('answered', true, 'A'), 'unpin', q('answered', false, 'A')],
    [q('open', true), 'dismiss', q('dismissed')],
    [q('answered', false, 'A'), 'reopen', q('open')],
    [q('dismissed'), 'reopen', q('open')],
    [q('dismissed'), 'unpin', q('dismissed')],
  ] as const)('%j + %s -> %j', (from, action, to) => {
    expect(moderate(from, act(action))).toEqual(to);
  });

  it.each(['answer-live', 'answer-text', 'pin'] as const)('refuses %s on a dismissed question', (action) => {
    expect(moderate(q('dismissed'), act(action))).toBe('CONFLICT');
  });

  it('gives every status and action a defined outcome', () => {
    for (const status of QUESTION_STATUSES) {
      for (const action of QUESTION_ACTIONS) {
        const next = moderate(q(status), act(action));
        expect(next === 'CONFLICT' || QUESTION_STATUSES.includes(next.status)).toBe(true);
      }
    }
  });
});

describe('questionOrder', () => {
  const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString();
  const item = (id: string, votes: number, created: number, pinned = false, status: QuestionStatus = 'open') => ({ id, votes, createdAt: at(created), pinned, status });

  it('puts pinned first, dismissed last, then most votes, then the oldest', () => {
    const list = [item('a', 1, 0), item('b', 5, 3), item('c', 5, 1), item('d', 0, 9, true), item('e', 9, 0, false, 'dismissed'), item('f', 1, 0)];
    expect(list.sort(questionOrder).map((x) => x.id)).toEqual(['d', 'c', 'b', 'a', 'f', 'e']);
  });
});

describe('authorKey', () => {
  it('is stable for the same person and request, and differs otherwise', () => {
    const k = authorKey('s'.repeat(32), 'room', 'user', 'req-12345');
    expect(authorKey('s'.repeat(32), 'room', 'user', 'req-12345')).toBe(k);
    expect(authorKey('s'.repeat(32), 'room', 'user2', 'req-12345')).not.toBe(k);
    expect(authorKey('s'.repeat(32), 'room', 'user', 'req-12346')).not.toBe(k);
    expect(authorKey('t'.repeat(32), 'room', 'user', 'req-12345')).not.toBe(k);
    expect(k).not.toContain('user');
  });
});
