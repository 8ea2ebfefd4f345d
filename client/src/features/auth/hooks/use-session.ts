import { useSyncExternalStore } from 'react';
import { tokens } from '../../../lib/tokens';

/** True while a session cookie is held; flips in every tab on sign-in and sign-out. */
export const useSignedIn = (): boolean => useSyncExternalStore(tokens.subscribe, () => tokens.signedIn);

/** Where to go after signing in: the `next` query parameter when it is a local path. */
export function nextPath(search: string): string {
  const next = new URLSearchParams(search).get('next');
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}
