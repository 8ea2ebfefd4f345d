import { describe, expect, it } from '@jest/globals';
import type { QuestionView } from '@contract';
import { sortQuestions } from './engagement';

const q = (id: string, votes: number, pinned = false, createdAt = '2026-01-01T10:00:00.000Z'): QuestionView => ({
  id,
  body: id,
  anonymous: false,
  authorName: 'A',
  status: 'open',
  pinned,
  answer: null,
  votes,
  createdAt,
  mine: false,
  votedByMe: false,
});

describe('the order of questions', () => {
  it('puts pinned questions first, then the most voted, then the oldest', () => {
    const sorted = sortQuestions([
      q('few', 1),
      q('many', 5),
      q('pinned', 0, true),
      q('tie-newer', 3, false, '2026-01-01T10:05:00.000Z'),
      q('tie-older', 3, false, '2026-01-01T10:01:00.000Z'),
    ]);
    expect(sorted.map((x) => x.id)).toEqual(['pinned', 'many', 'tie-older', 'tie-newer', 'few']);
  });
});
