import type {
  CreateEventBody,
  CreateSessionBody,
  EventDto,
  EventRegistrationBody,
  EventSessionDto,
  EventSummaryDto,
  MyEventRegistrationDto,
  MyRegistrationDto,
  RegistrantDto,
  UpdateEventBody,
  UpdateSessionBody,
} from '@contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api';
import { downloadFile } from '../../../lib/download';
import { tokens } from '../../../lib/tokens';

export const eventKeys = {
  directory: ['events', 'directory'] as const,
  org: (orgId: string) => ['organizations', orgId, 'events'] as const,
  one: (eventId: string) => ['events', eventId] as const,
  registrants: (eventId: string) => ['events', eventId, 'registrants'] as const,
  mine: ['me', 'event-registrations'] as const,
};

const e = encodeURIComponent;

/** Upcoming public events of every organisation; no sign-in needed. */
export const useEventDirectory = () => useQuery({ queryKey: eventKeys.directory, queryFn: () => api<EventSummaryDto[]>('/api/events') });

export const useOrgEvents = (orgId: string) =>
  useQuery({ queryKey: eventKeys.org(orgId), queryFn: () => api<EventSummaryDto[]>(`/api/organizations/${e(orgId)}/events`) });

export const useEvent = (eventId: string) =>
  useQuery({
    queryKey: eventKeys.one(eventId),
    queryFn: () => api<EventDto>(`/api/events/${e(eventId)}`),
    // "Now" and "next" move with the clock, and places with other people's registrations.
    refetchInterval: 60_000,
  });

export const useMyRegistrations = () =>
  useQuery({ queryKey: eventKeys.mine, queryFn: () => api<MyEventRegistrationDto[]>('/api/me/event-registrations') });

export const useRegistrants = (eventId: string) =>
  useQuery({ queryKey: eventKeys.registrants(eventId), queryFn: () => api<RegistrantDto[]>(`/api/events/${e(eventId)}/registrations`) });

function useInvalidateEvent(eventId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: eventKeys.one(eventId) }),
      queryClient.invalidateQueries({ queryKey: eventKeys.registrants(eventId) }),
      queryClient.invalidateQueries({ queryKey: eventKeys.mine }),
    ]);
}

export const useCreateEvent = (orgId: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateEventBody) => api<EventDto>(`/api/organizations/${e(orgId)}/events`, { method: 'POST', body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: eventKeys.org(orgId) }),
  });
};

export const useAddSession = (eventId: string) => {
  const invalidate = useInvalidateEvent(eventId);
  return useMutation({
    mutationFn: (body: CreateSessionBody) => api<EventSessionDto>(`/api/events/${e(eventId)}/sessions`, { method: 'POST', body }),
    onSuccess: invalidate,
  });
};

export const useRegister = (eventId: string) => {
  const invalidate = useInvalidateEvent(eventId);
  return useMutation({
    mutationFn: (body: EventRegistrationBody) =>
      api<MyRegistrationDto>(`/api/events/${e(eventId)}/registrations`, { method: 'POST', body }),
    onSuccess: invalidate,
  });
};

export const useCancelRegistration = (eventId: string) => {
  const invalidate = useInvalidateEvent(eventId);
  return useMutation({
    mutationFn: () => api<MyRegistrationDto | null>(`/api/events/${e(eventId)}/registrations/mine`, { method: 'DELETE' }),
    onSuccess: invalidate,
  });
};

export const useDecide = (eventId: string) => {
  const invalidate = useInvalidateEvent(eventId);
  return useMutation({
    mutationFn: ({ id, decision }: { id: string; decision: 'approve' | 'decline' }) =>
      api<RegistrantDto>(`/api/event-registrations/${e(id)}/decision`, { method: 'POST', body: { decision } }),
    onSuccess: invalidate,
  });
};

/** The calendar file of the programme or of one session: a plain link when signed out (public events only). */
export function calendarPath(eventId: string, sessionId?: string): string {
  return sessionId ? `/api/events/${e(eventId)}/sessions/${e(sessionId)}/calendar.ics` : `/api/events/${e(eventId)}/calendar.ics`;
}

export const downloadCalendar = (eventId: string, sessionId?: string): Promise<void> =>
  tokens.signedIn
    ? downloadFile(calendarPath(eventId, sessionId), sessionId ? 'session.ics' : 'event.ics')
    : Promise.resolve(void window.location.assign(calendarPath(eventId, sessionId)));

export const downloadRegistrants = (eventId: string): Promise<void> =>
  downloadFile(`/api/events/${e(eventId)}/registrations.csv`, 'registrants.csv');

/** An organiser's edit of one session (title, time, room, speakers…); registrants are told by the server. */
export const useUpdateSession = (eventId: string) => {
  const invalidate = useInvalidateEvent(eventId);
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateSessionBody }) =>
      api<EventSessionDto>(`/api/event-sessions/${e(id)}`, { method: 'PATCH', body }),
    onSuccess: invalidate,
  });
};

/** An organiser's edit of the event itself (its tracks and registration questions among others). */
export const useUpdateEvent = (eventId: string) => {
  const invalidate = useInvalidateEvent(eventId);
  return useMutation({
    mutationFn: (body: UpdateEventBody) => api<EventDto>(`/api/events/${e(eventId)}`, { method: 'PATCH', body }),
    onSuccess: invalidate,
  });
};
