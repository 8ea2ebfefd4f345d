import type {
  AuthTokensDto,
  InstitutionalSignInOption,
  PasswordResetBody,
  PasswordResetRequestBody,
  RegisterBody,
  RegistrationDto,
  SessionDto,
  SignInBody,
  UserDto,
} from '@contract';
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

/**
 * Sign-up answers the same for a new and a taken address; a new account can then sign in at once.
 * A failed sign-in here means the address already had an account (with another password): the
 * caller shows the "check your mail" answer.
 */
export async function register(body: RegisterBody): Promise<UserDto> {
  await api<RegistrationDto>('/api/auth/register', { method: 'POST', body, auth: false });
  return signIn({ email: body.email, password: body.password });
}

export const signIn = (body: SignInBody) =>
  startSession(api<SessionDto>('/api/auth/sign-in', { method: 'POST', body, auth: false }));

export async function signOut(): Promise<void> {
  const wasSignedIn = tokens.signedIn;
  tokens.clear();
  if (wasSignedIn) await api('/api/auth/sign-out', { method: 'POST', auth: false }).catch(() => undefined);
}

/** Answered the same whether or not the address has an account. */
export const requestPasswordReset = (body: PasswordResetRequestBody) =>
  api<RegistrationDto>('/api/auth/password-reset', { method: 'POST', body, auth: false });

/** The new password also signs in: the account's other sessions have ended. */
export const resetPassword = (body: PasswordResetBody) =>
  startSession(api<SessionDto>('/api/auth/password-reset/confirm', { method: 'POST', body, auth: false }));

/** The organisations whose own identity provider one can sign in with. */
export const useInstitutionalSignIns = () =>
  useQuery({
    queryKey: ['auth', 'institutions'] as const,
    queryFn: () => api<InstitutionalSignInOption[]>('/api/auth/institutions', { auth: false }),
    staleTime: 60_000,
  });

/**
 * After an institutional sign-in the server has set the session cookie and sent the browser here: the
 * cookie is traded for an access token as on any page load, and the user is fetched.
 */
export async function completeInstitutionalSignIn(): Promise<UserDto> {
  const fresh = await api<AuthTokensDto>('/api/auth/refresh', { method: 'POST', auth: false });
  tokens.store(fresh);
  const user = await api<UserDto>('/api/me');
  queryClient.setQueryData(meKey, user);
  return user;
}
