import { describe, expect, it, jest } from '@jest/globals';
import type { ChatMessageInfo } from '@contract';
import { sendChatReliably } from './chat-send';

const stored = { id: 'm1' } as ChatMessageInfo;
const failing = (...codes: string[]) => {
  const send = jest.fn(async () => {
    const code = codes.shift();
    if (code) throw Object.assign(new Error(code), { code });
    return stored;
  });
  return send;
};

describe('sending a chat message', () => {
  it('retries temporary failures with the same request id until the server stores it', async () => {
    const send = failing('UNAVAILABLE', 'NOT_IN_ROOM', 'RATE_LIMITED');
    await expect(sendChatReliably(send, 'hello', 'req-12345678')).resolves.toBe(stored);
    expect(send).toHaveBeenCalledTimes(4);
    expect(new Set(send.mock.calls.map((c) => (c as unknown as [{ clientRequestId: string }])[0].clientRequestId))).toEqual(new Set(['req-12345678']));
  });

  it('gives a refusal straight back to the sender', async () => {
    const send = failing('FORBIDDEN');
    await expect(sendChatReliably(send, 'hello', 'req-12345678')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('stops retrying after its deadline and says so', async () => {
    const send = failing('UNAVAILABLE', 'UNAVAILABLE', 'UNAVAILABLE');
    await expect(sendChatReliably(send, 'hello', 'req-12345678', undefined, 0)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
