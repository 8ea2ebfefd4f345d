import { z } from 'zod';
import { LANGUAGE_CODES } from './languages';
import { plainText } from './text';

/** Request bodies of the REST API. Every schema is strict: unknown fields are refused. */

export const email = z.string().trim().toLowerCase().pipe(z.email().max(254));
export const password = z.string().min(10).max(256);
export const displayName = plainText(1, 80);
export const uuid = z.uuid();

export const RegisterBody = z.strictObject({ email, password, displayName });
export type RegisterBody = z.infer<typeof RegisterBody>;

export const SignInBody = z.strictObject({ email, password: z.string().min(1).max(256) });
export type SignInBody = z.infer<typeof SignInBody>;

/** The languages mail can be written in (those of the web client). */
export const MAIL_LANGUAGES = LANGUAGE_CODES;

/** Answered the same whether or not the address has an account. */
export const PasswordResetRequestBody = z.strictObject({ email, language: z.enum(MAIL_LANGUAGES).optional() });
export type PasswordResetRequestBody = z.infer<typeof PasswordResetRequestBody>;

/** The token from the mailed link (it travels in the URL's fragment, never to the server's logs). */
export const resetToken = z.string().regex(/^[A-Za-z0-9_-]{32,64}$/);
export const PasswordResetBody = z.strictObject({ token: resetToken, newPassword: password });
export type PasswordResetBody = z.infer<typeof PasswordResetBody>;

export const ChangePasswordBody = z.strictObject({ currentPassword: z.string().min(1).max(256), newPassword: password });
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;


export const ORG_ROLES = ['owner', 'admin', 'member'] as const;
export const OrgRole = z.enum(ORG_ROLES);
export type OrgRole = z.infer<typeof OrgRole>;

export const CreateOrganizationBody = z.strictObject({
  name: plainText(2, 120),
  description: plainText(0, 2000).optional(),
});
export type CreateOrganizationBody = z.infer<typeof CreateOrganizationBody>;

/** ISO 3166-1 alpha-2, upper case. */
export const countryCode = z.string().regex(/^[A-Z]{2}$/);

export const CreateInstitutionBody = z.strictObject({
  name: plainText(2, 200),
  country: countryCode,
  voteWeight: z.int().min(1).max(1000).default(1),
});
export type CreateInstitutionBody = z.input<typeof CreateInstitutionBody>;

export const UpdateInstitutionBody = z
  .strictObject({
    name: plainText(2, 200),
    country: countryCode,
    voteWeight: z.int().min(1).max(1000),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to update' });
export type UpdateInstitutionBody = z.infer<typeof UpdateInstitutionBody>;

export const AddDelegateBody = z.strictObject({ userId: uuid });
export type AddDelegateBody = z.infer<typeof AddDelegateBody>;

export const UpdateMemberBody = z.strictObject({ role: OrgRole });
export type UpdateMemberBody = z.infer<typeof UpdateMemberBody>;

export const CreateInvitationBody = z.strictObject({
  role: z.enum(['admin', 'member']).default('member'),
  expiresInHours: z.int().min(1).max(24 * 30).default(72),
  /** When set, the person who accepts also becomes a delegate of this institution. */
  institutionId: uuid.optional(),
  /**
   * How many people may join through the link. When absent: one for a delegate's link or a link for a
   * named person, unlimited for a plain member link.
   */
  maxUses: z.int().min(1).max(10_000).optional(),
  /** The person the link is for: only the account with this address can accept it. */
  inviteeEmail: email.optional(),
  /** How the link is labelled in the list (e.g. the delegate's name). */
  inviteeName: plainText(1, 120).optional(),
}).refine((b) => !b.inviteeEmail || b.maxUses === undefined || b.maxUses === 1, {
  message: 'a link for a named person lets in that person only',
  path: ['maxUses'],
});
export type CreateInvitationBody = z.input<typeof CreateInvitationBody>;

/* ---------- responses ---------- */

export interface UserDto {
  id: string;
  email: string;
  displayName: string;
}

/**
 * The refresh token is never in a body: it travels in an HttpOnly cookie (REFRESH_COOKIE, path
 * REFRESH_COOKIE_PATH) that scripts cannot read, and the endpoints that read it require the
 * CSRF_HEADER.
 */
export interface AuthTokensDto {
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}

export const REFRESH_COOKIE = 'quorum_refresh';
export const REFRESH_COOKIE_PATH = '/api/auth';
/** A header a cross-site form or image cannot send: its presence proves the request came from our own script. */
export const CSRF_HEADER = 'x-quorum-csrf';

/** Sign-up answers the same whether or not the address already has an account. */
export interface RegistrationDto {
  status: 'accepted';
}

export interface SessionDto extends AuthTokensDto {
  user: UserDto;
}

export interface OrganizationDto {
  id: string;
  name: string;
  description: string | null;
  myRole: OrgRole;
  createdAt: string;
}

export interface MemberDto {
  userId: string;
  displayName: string;
  email: string;
  role: OrgRole;
  joinedAt: string;
}

export interface InstitutionDto {
  id: string;
  organizationId: string;
  name: string;
  country: string;
  voteWeight: number;
  delegates: { userId: string; displayName: string }[];
}

export interface InvitationDto {
  id: string;
  token: string;
  url: string;
  role: 'admin' | 'member';
  institutionId: string | null;
  institutionName: string | null;
  inviteeEmail: string | null;
  inviteeName: string | null;
  expiresAt: string;
  maxUses: number | null;
}

export const INVITATION_STATUSES = ['pending', 'used', 'revoked', 'expired'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/** A link as its organisation's admins see it later: the token itself is never stored, so no URL. */
export interface InvitationSummaryDto {
  id: string;
  role: 'admin' | 'member';
  institutionId: string | null;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  maxUses: number | null;
  uses: number;
  status: InvitationStatus;
  institutionName: string | null;
  inviteeEmail: string | null;
  inviteeName: string | null;
  /** Who came in through the link last (for a single-use link: the one who used it). */
  usedBy: { userId: string; displayName: string } | null;
}

export interface InvitationPreviewDto {
  organizationId: string;
  organizationName: string;
  role: 'admin' | 'member';
  institutionName: string | null;
  /** The name the link was made out to; only that person's account can accept a personal link. */
  inviteeName: string | null;
  personal: boolean;
  expiresAt: string;
}

export interface HealthDto {
  status: 'ok' | 'error';
  info?: Record<string, { status: string }>;
  error?: Record<string, { status: string; message?: string }>;
}

/* ---------- rooms ---------- */

export const ROOM_MODES = ['meeting', 'webinar'] as const;
/** members: people of the organisation (and holders of a room invite link); public: anyone signed in with the room's address. */
export const ROOM_ACCESS = ['members', 'public'] as const;

export const ROOM_ROLES = ['host', 'co-host', 'panelist', 'attendee'] as const;
export type RoomRole = (typeof ROOM_ROLES)[number];

export const CreateRoomBody = z.strictObject({
  name: plainText(2, 120),
  mode: z.enum(ROOM_MODES).default('meeting'),
  access: z.enum(ROOM_ACCESS).default('members'),
  capacity: z.int().min(2).max(5000).default(100),
});
export type CreateRoomBody = z.input<typeof CreateRoomBody>;

export const UpdateRoomBody = z
  .strictObject({
    name: plainText(2, 120),
    mode: z.enum(ROOM_MODES),
    access: z.enum(ROOM_ACCESS),
    capacity: z.int().min(2).max(5000),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to update' });
export type UpdateRoomBody = z.infer<typeof UpdateRoomBody>;

export const CreateRoomInviteBody = z.strictObject({
  expiresInHours: z.int().min(1).max(24 * 30).default(72),
  /** How many people may come in through the link; unlimited when absent. */
  maxUses: z.int().min(1).max(10_000).optional(),
});

export interface RoomDto {
  id: string;
  organizationId: string;
  name: string;
  mode: (typeof ROOM_MODES)[number];
  access: (typeof ROOM_ACCESS)[number];
  capacity: number;
  /** People in the room right now; 0 when no session is live. */
  participants: number;
  createdAt: string;
}

/** What the pre-join screen shows. `canJoin` false: you would be refused (and why). */
export interface RoomPreviewDto {
  id: string;
  name: string;
  organizationId: string;
  organizationName: string;
  mode: RoomDto['mode'];
  access: RoomDto['access'];
  /** The role you would walk in with: in a webinar, attendees hold no camera or microphone until invited on stage. */
  role: RoomRole;
  participants: number;
  capacity: number;
  canJoin: boolean;
  reason?: 'FORBIDDEN' | 'ROOM_FULL';
}

export interface RoomInviteDto {
  id: string;
  token: string;
  url: string;
  expiresAt: string;
  maxUses: number | null;
}

export interface RoomInviteSummaryDto {
  id: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  maxUses: number | null;
  uses: number;
}

export interface RoomSessionDto {
  id: string;
  startedAt: string;
  endedAt: string | null;
  participants: number;
}

export interface AttendanceDto {
  roomId: string;
  sessionId: string;
  startedAt: string;
  endedAt: string | null;
  people: {
    userId: string;
    displayName: string;
    firstJoin: string;
    lastLeave: string | null;
    minutes: number;
    joins: number;
    /** Of `minutes`, the time spent in breakout groups. */
    breakoutMinutes: number;
  }[];
  /** Every stay in a breakout group, in order (`group`: 0-based; `name`: '' when the host gave none). */
  breakouts: { userId: string; roundId: string; group: number; name: string; joinedAt: string; leftAt: string | null }[];
  /** Every join and leave, in order; `gaps`: times away inside a visit while the server restarted. */
  visits: { userId: string; displayName: string; joinedAt: string; leftAt: string | null; gaps: { from: string; to: string }[] }[];
}
