import type { RegistrationMode, RegistrationStatus } from '../../contract';

/**
 * Places and the waitlist, as pure rules. Registrations are taken one at a time per event (the
 * event's row is locked), so `order` (the arrival number given under that lock) is the order in
 * which people asked; the waitlist is served strictly in that order.
 */
export interface Seat {
  id: string;
  status: RegistrationStatus;
  order: number;
}

/** The status a new (or returning) registrant gets. */
export function admit(mode: Exclude<RegistrationMode, 'none'>, capacity: number | null, confirmed: number): RegistrationStatus {
  if (mode === 'approval') return 'pending';
  return capacity === null || confirmed < capacity ? 'confirmed' : 'waitlisted';
}

/** An organiser's approval: a place if one is free, the waitlist otherwise. */
export const approve = (capacity: number | null, confirmed: number): RegistrationStatus =>
  capacity === null || confirmed < capacity ? 'confirmed' : 'waitlisted';

/** Which statuses may change to which, and by whom: anything else is ILLEGAL_TRANSITION. */
const TRANSITIONS: Record<RegistrationStatus, readonly RegistrationStatus[]> = {
  pending: ['confirmed', 'waitlisted', 'declined', 'cancelled'],
  confirmed: ['cancelled'],
  waitlisted: ['confirmed', 'cancelled'],
  cancelled: ['pending', 'confirmed', 'waitlisted'],
  declined: [],
};
export const canBecome = (from: RegistrationStatus, to: RegistrationStatus): boolean => TRANSITIONS[from].includes(to);

/**
 * Who moves up from the waitlist when places are free (after a cancellation or a larger capacity):
 * the earliest arrivals first, as many as there are free places.
 */
export function promotions(seats: readonly Seat[], capacity: number | null): string[] {
  const confirmed = seats.filter((s) => s.status === 'confirmed').length;
  const waiting = seats.filter((s) => s.status === 'waitlisted').sort((a, b) => a.order - b.order);
  const free = capacity === null ? waiting.length : Math.max(0, capacity - confirmed);
  return waiting.slice(0, free).map((s) => s.id);
}

/** 1-based place of each waitlisted registration. */
export function waitlistPositions(seats: readonly Seat[]): Map<string, number> {
  const waiting = seats.filter((s) => s.status === 'waitlisted').sort((a, b) => a.order - b.order);
  return new Map(waiting.map((s, i) => [s.id, i + 1]));
}
