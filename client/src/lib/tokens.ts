import type { AuthTokensDto } from '@contract';
import { forget, keep, readKept } from './storage';

/**
 * The access token lives only in memory. The refresh token is an HttpOnly cookie this script never
 * sees; localStorage keeps only a flag saying a session probably exists, shared between tabs so that
 * signing out in one signs out all.
 */
const SIGNED_IN_KEY = 'quorum.signedIn';

let accessToken: string | null = null;
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());

export const tokens = {
  get access(): string | null {
    return accessToken;
  },
  /** True while this browser holds a session cookie, as far as we know (the server has the last word). */
  get signedIn(): boolean {
    return readKept(SIGNED_IN_KEY) === '1';
  },
  store(t: AuthTokensDto): void {
    accessToken = t.accessToken;
    keep(SIGNED_IN_KEY, '1');
    notify();
  },
  clear(): void {
    accessToken = null;
    forget(SIGNED_IN_KEY);
    notify();
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

if (typeof window !== 'undefined') {
  // Tokens written by older versions of the app: not used any more, so not left lying around.
  forget('quorum.refreshToken');
  window.addEventListener('storage', (e) => {
    if (e.key !== SIGNED_IN_KEY && e.key !== null) return;
    if (!e.newValue) accessToken = null;
    notify();
  });
}
