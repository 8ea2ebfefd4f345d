import { engagementCommandSchemas as s } from '../../contract';

const ok = (schema: keyof typeof s, payload: unknown) => s[schema].safeParse(payload).success;

describe('engagement command schemas', () => {
  const rid = 'req-0001';
  const uuid = '0b5b7c0e-8a3c-4a53-9a57-5f2a3b1c2d3e';

  it('takes a chat body of up to 2000 characters after trimming, and refuses empty, longer or NUL', () => {
    expect(ok('chat:send', { clientRequestId: rid, body: 'x'.repeat(2000) })).toBe(true);
    expect(ok('chat:send', { clientRequestId: rid, body: `  ${'x'.repeat(2000)}  ` })).toBe(true);
    expect(ok('chat:send', { clientRequestId: rid, body: 'x'.repeat(2001) })).toBe(false);
    expect(ok('chat:send', { clientRequestId: rid, body: '   ' })).toBe(false);
    expect(ok('chat:send', { clientRequestId: rid, body: 'a\u0000b' })).toBe(false);
    expect(ok('chat:send', { clientRequestId: rid, body: 'hi', audience: 'panel' })).toBe(false);
    expect(ok('chat:send', { clientRequestId: 'short', body: 'hi' })).toBe(false);
    expect(s['chat:send'].parse({ clientRequestId: rid, body: ' <b>hi</b> ' })).toEqual({ clientRequestId: rid, body: '<b>hi</b>', audience: 'everyone' });
  });

  it('bounds history pages at 100', () => {
    expect(s['chat:history'].parse({})).toEqual({ limit: 100 });
    expect(ok('chat:history', { limit: 101 })).toBe(false);
    expect(ok('chat:history', { before: 'not-an-id' })).toBe(false);
  });

  it('pages history after a message (catching up) or before one, not both at once', () => {
    expect(s['chat:history'].parse({ after: uuid })).toEqual({ after: uuid, limit: 100 });
    expect(ok('chat:history', { after: 'not-an-id' })).toBe(false);
    expect(ok('chat:history', { before: uuid, after: uuid })).toBe(false);
  });

  it('requires an answer exactly for answer-text', () => {
    expect(ok('qa:moderate', { questionId: uuid, action: 'answer-text', answer: 'Yes.' })).toBe(true);
    expect(ok('qa:moderate', { questionId: uuid, action: 'answer-text' })).toBe(false);
    expect(ok('qa:moderate', { questionId: uuid, action: 'pin' })).toBe(true);
    expect(ok('qa:moderate', { questionId: uuid, action: 'pin', answer: 'x' })).toBe(false);
    expect(ok('qa:moderate', { questionId: uuid, action: 'delete' })).toBe(false);
    expect(ok('qa:ask', { clientRequestId: rid, body: 'q'.repeat(1001) })).toBe(false);
  });

  it('takes 2 to 10 distinct poll options and distinct choices', () => {
    const poll = { clientRequestId: rid, question: 'Lunch?' };
    expect(ok('poll:create', { ...poll, options: ['a', 'b'] })).toBe(true);
    expect(ok('poll:create', { ...poll, options: ['a'] })).toBe(false);
    expect(ok('poll:create', { ...poll, options: Array.from({ length: 11 }, (_, i) => `o${i}`) })).toBe(false);
    expect(ok('poll:create', { ...poll, options: ['a', ' a '] })).toBe(false);
    expect(ok('poll:vote', { pollId: uuid, choices: [0, 1] })).toBe(true);
    expect(ok('poll:vote', { pollId: uuid, choices: [1, 1] })).toBe(false);
    expect(ok('poll:vote', { pollId: uuid, choices: [] })).toBe(false);
    expect(ok('poll:vote', { pollId: uuid, choices: [10] })).toBe(false);
  });

  it('takes only the fixed reactions', () => {
    expect(ok('reaction:send', { emoji: '👍' })).toBe(true);
    expect(ok('reaction:send', { emoji: '💩' })).toBe(false);
    expect(ok('reaction:send', { emoji: '<img src=x>' })).toBe(false);
  });
});
