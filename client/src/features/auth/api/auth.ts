import type { RegisterBody, SessionDto, SignInBody, UserDto } from '@contract';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api';
import { queryClient } from '../../../lib/query-client';
import { tokens } from '../../../lib/tokens';
import { useSignedIn } from '../hooks/use-session';

export const meKey = ['me'] as const;

export const useMe = () =>
  useQuery({ queryKey: meKey, queryFn: () => api<UserDto>('/api/me'), enabled: useSignedIn(), staleTime: Infinity });

async function startSession(request: Promise<SessionDto>): Promise<UserDto> {
  const session = await request;
  // Seeded first: storing the tokens re-renders protected routes, which then need no /api/me round trip.
  queryClient.setQueryData(meKey, session.user);
  tokens.store(session);
  return session.user;
}

export const register = (body: RegisterBody) =>
  startSession(api<SessionDto>('/api/auth/register', { method: 'POST', body, auth: false }));

export const signIn = (body: SignInBody) =>
  startSession(api<SessionDto>('/api/auth/sign-in', { method: 'POST', body, auth: false }));

export async function signOut(): Promise<void> {
  const refreshToken = tokens.refresh;
  tokens.clear();
  if (refreshToken) {
    await api('/api/auth/sign-out', { method: 'POST', body: { refreshToken }, auth: false }).catch(() => undefined);
  }
}
