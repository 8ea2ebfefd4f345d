import { randomUUID } from 'node:crypto';
import type { EventDto, EventSessionDto, MyRegistrationDto } from '../../server/src/contract';
import { api } from './api';

/** Creates an event (open registration, members-only unless said) as `token`; fails the test on refusal. */
export async function createEvent(base: string, token: string, orgId: string, body: Record<string, unknown> = {}): Promise<EventDto> {
  const res = await api(base).post<EventDto>(
    `/api/organizations/${orgId}/events`,
    { title: 'Alliance Forum', timeZone: 'Europe/Paris', ...body },
    token,
  );
  if (res.status !== 201) throw new Error(`event: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function addSession(base: string, token: string, eventId: string, body: Record<string, unknown>): Promise<EventSessionDto> {
  const res = await api(base).post<EventSessionDto>(`/api/events/${eventId}/sessions`, { title: 'Session', ...body }, token);
  if (res.status !== 201) throw new Error(`session: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export function registerFor(base: string, token: string, eventId: string, body: Record<string, unknown> = {}) {
  return api(base).post<MyRegistrationDto>(`/api/events/${eventId}/registrations`, { clientRequestId: randomUUID(), ...body }, token);
}

/** Wall-clock `YYYY-MM-DDTHH:mm` of a Date in UTC plus `minutes` (for sessions happening "now"). */
export const utcWall = (d: Date): string => d.toISOString().slice(0, 16);
