import { z } from 'zod';
import { WALL_CLOCK } from './event-time';
import { MAIL_LANGUAGES } from './rest';
import { plainText } from './text';

/**
 * Events of an organisation (a conference, a series of webinars) with their programme, and the
 * registrations for them. Times come in as wall-clock times of the event's zone (`2025-03-30T09:00`)
 * and go out as UTC instants (ISO 8601 with `Z`).
 */

export const EVENT_KINDS = ['conference', 'series'] as const;
/** public: listed in the directory and readable by anyone; members: people of the organisation only. */
export const EVENT_VISIBILITIES = ['public', 'members'] as const;
/** none: anyone who may see the event joins its sessions; open / approval: a confirmed registration is needed. */
export const REGISTRATION_MODES = ['none', 'open', 'approval'] as const;
export const SESSION_KINDS = ['talk', 'panel', 'webinar', 'board-meeting'] as const;
export const REGISTRATION_STATUSES = ['pending', 'confirmed', 'waitlisted', 'cancelled', 'declined'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];

export const wallClock = z.string().regex(WALL_CLOCK, 'must be a wall-clock time YYYY-MM-DDTHH:mm');
/** Checked against the runtime's IANA database by the server (UNKNOWN_TIME_ZONE). */
export const timeZoneName = z.string().min(1).max(64);

export const EventQuestion = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]{1,40}$/),
  label: plainText(1, 200),
  type: z.enum(['text', 'choice']).default('text'),
  options: z.array(plainText(1, 120)).max(20).optional(),
  required: z.boolean().default(false),
});
export type EventQuestion = z.output<typeof EventQuestion>;

const eventFields = {
  title: plainText(2, 200),
  description: plainText(0, 5000).default(''),
  kind: z.enum(EVENT_KINDS).default('conference'),
  timeZone: timeZoneName,
  visibility: z.enum(EVENT_VISIBILITIES).default('members'),
  registration: z.enum(REGISTRATION_MODES).default('open'),
  /** Places; null or absent: no limit. 0 is refused (INVALID_CAPACITY). */
  capacity: z.int().min(-1_000_000).max(1_000_000).nullable().default(null),
  /** Wall-clock time in the event's zone after which nobody registers. */
  registrationClosesAt: wallClock.nullable().default(null),
  questions: z.array(EventQuestion).max(20).default([]),
  tracks: z.array(plainText(1, 120)).max(20).default([]),
  /** Minutes before each session that registrants get a reminder. */
  reminderMinutes: z
    .array(
      z
        .int()
        .min(5)
        .max(14 * 24 * 60),
    )
    .max(5)
    .default([1440, 60]),
};

export const CreateEventBody = z.strictObject(eventFields);
export type CreateEventBody = z.input<typeof CreateEventBody>;

export const UpdateEventBody = z
  .strictObject({
    title: eventFields.title,
    description: plainText(0, 5000),
    visibility: z.enum(EVENT_VISIBILITIES),
    registration: z.enum(REGISTRATION_MODES),
    capacity: z.int().min(-1_000_000).max(1_000_000).nullable(),
    registrationClosesAt: wallClock.nullable(),
    questions: z.array(EventQuestion).max(20),
    tracks: z.array(plainText(1, 120)).max(20),
    reminderMinutes: z
      .array(
        z
          .int()
          .min(5)
          .max(14 * 24 * 60),
      )
      .max(5),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to update' });
export type UpdateEventBody = z.infer<typeof UpdateEventBody>;

export const Speaker = z.strictObject({ name: plainText(1, 120), affiliation: plainText(0, 200).default('') });
export type Speaker = z.output<typeof Speaker>;

const sessionFields = {
  title: plainText(2, 200),
  description: plainText(0, 5000).default(''),
  kind: z.enum(SESSION_KINDS).default('talk'),
  /** Wall-clock times in the event's zone. */
  startsAt: wallClock,
  endsAt: wallClock,
  track: plainText(1, 120).nullable().default(null),
  /** Where it happens: a room of the organisation, or a meeting of it (its room). */
  roomId: z.uuid().nullable().default(null),
  meetingId: z.uuid().nullable().default(null),
  speakers: z.array(Speaker).max(30).default([]),
};

export const CreateSessionBody = z.strictObject(sessionFields);
export type CreateSessionBody = z.input<typeof CreateSessionBody>;

export const UpdateSessionBody = z
  .strictObject({
    title: sessionFields.title,
    description: plainText(0, 5000),
    kind: z.enum(SESSION_KINDS),
    startsAt: wallClock,
    endsAt: wallClock,
    track: plainText(1, 120).nullable(),
    roomId: z.uuid().nullable(),
    meetingId: z.uuid().nullable(),
    speakers: z.array(Speaker).max(30),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to update' });
export type UpdateSessionBody = z.infer<typeof UpdateSessionBody>;

export const EventRegistrationBody = z.strictObject({
  /** The same id on a retry: the registration is made once. */
  clientRequestId: z.uuid(),
  answers: z.record(z.string().regex(/^[a-z0-9-]{1,40}$/), plainText(0, 2000)).default({}),
  language: z.enum(MAIL_LANGUAGES).default('en'),
  /** The registrant's own zone, for the times in their mail (besides the event's). */
  timeZone: timeZoneName.optional(),
});
export type EventRegistrationBody = z.input<typeof EventRegistrationBody>;

export const DecideRegistrationBody = z.strictObject({ decision: z.enum(['approve', 'decline']) });
export type DecideRegistrationBody = z.infer<typeof DecideRegistrationBody>;

/* ---------- responses ---------- */

export interface EventSessionDto {
  id: string;
  eventId: string;
  title: string;
  description: string;
  kind: (typeof SESSION_KINDS)[number];
  /** UTC instants. */
  startsAt: string;
  endsAt: string;
  /** The same, as the event's wall clock shows them. */
  localStartsAt: string;
  localEndsAt: string;
  track: string | null;
  roomId: string | null;
  meetingId: string | null;
  speakers: Speaker[];
  status: 'scheduled' | 'cancelled';
  sequence: number;
}

export interface EventDto {
  id: string;
  organizationId: string;
  organizationName: string;
  title: string;
  description: string;
  kind: (typeof EVENT_KINDS)[number];
  timeZone: string;
  visibility: (typeof EVENT_VISIBILITIES)[number];
  registration: RegistrationMode;
  capacity: number | null;
  registrationClosesAt: string | null;
  questions: EventQuestion[];
  tracks: string[];
  reminderMinutes: number[];
  status: 'scheduled' | 'cancelled';
  /** First session's start and last session's end; null while the programme is empty. */
  startsAt: string | null;
  endsAt: string | null;
  confirmed: number;
  waitlisted: number;
  /** The caller's registration, when signed in and registered. */
  myRegistration: MyRegistrationDto | null;
  /** Whether the caller organises it (sees registrants, edits the programme). */
  canManage: boolean;
  sessions: EventSessionDto[];
}

export interface EventSummaryDto {
  id: string;
  organizationId: string;
  organizationName: string;
  title: string;
  kind: EventDto['kind'];
  timeZone: string;
  visibility: EventDto['visibility'];
  registration: RegistrationMode;
  startsAt: string | null;
  endsAt: string | null;
  status: EventDto['status'];
}

export interface MyRegistrationDto {
  id: string;
  eventId: string;
  status: RegistrationStatus;
  /** 1-based place on the waitlist while waitlisted. */
  waitlistPosition: number | null;
  registeredAt: string;
}

export interface MyEventRegistrationDto extends MyRegistrationDto {
  event: EventSummaryDto;
}

export interface RegistrantDto extends MyRegistrationDto {
  userId: string;
  displayName: string;
  email: string;
  answers: Record<string, string>;
}
