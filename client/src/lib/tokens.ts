import type { AuthTokensDto } from '@contract';

const REFRESH_KEY = 'quorum.refreshToken';

/** Access token lives only in memory; the refresh token survives reloads and is shared between tabs. */
let accessToken: string | null = null;
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());

export const tokens = {
  get access(): string | null {
    return accessToken;
  },
  get refresh(): string | null {
    return localStorage.getItem(REFRESH_KEY);
  },
  store(t: AuthTokensDto): void {
    accessToken = t.accessToken;
    localStorage.setItem(REFRESH_KEY, t.refreshToken);
    notify();
  },
  clear(): void {
    accessToken = null;
    localStorage.removeItem(REFRESH_KEY);
    notify();
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

if (typeof window !== 'undefined') {
  window.addEventListener('storage', (e) => {
    if (e.key !== REFRESH_KEY && e.key !== null) return;
    if (!e.newValue) accessToken = null;
    notify();
  });
}
