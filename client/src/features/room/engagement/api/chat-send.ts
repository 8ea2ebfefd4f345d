import type { ChatAudience, ChatMessageInfo, ErrorCode } from '@contract';
import { backoffMs, TRANSIENT } from '../../../../lib/reconnect';

/** The chat:send payload. */
export interface ChatSendPayload {
  clientRequestId: string;
  body: string;
  audience?: ChatAudience;
}

/** Worth sending again: a temporary refusal, or not (yet) back in the room after a reconnection. */
const RETRY: ReadonlySet<string> = new Set<ErrorCode>([...TRANSIENT, 'NOT_IN_ROOM']);

/**
 * Sends one chat message through `send` (a command call that rejects with `{ code }`) and resolves
 * with the stored message. Temporary failures — a restart, a timeout, the room not rejoined yet — are
 * retried with the same clientRequestId (the server stores it once) and jittered backoff for up to
 * `giveUpAfterMs`; after that, or on a refusal, the error is thrown for the sender to see.
 */
export async function sendChatReliably(
  send: (p: ChatSendPayload) => Promise<ChatMessageInfo>,
  body: string,
  clientRequestId: string,
  audience?: ChatAudience,
  giveUpAfterMs = 60_000,
): Promise<ChatMessageInfo> {
  const payload = { clientRequestId, body, ...(audience ? { audience } : {}) };
  const deadline = Date.now() + giveUpAfterMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await send(payload);
    } catch (e) {
      const code = (e as { code?: unknown } | null)?.code;
      if (typeof code !== 'string' || !RETRY.has(code) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, backoffMs(attempt)));
    }
  }
}
