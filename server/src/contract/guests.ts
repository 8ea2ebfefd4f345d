import { z } from 'zod';
import type { RoomPreviewDto } from './rest';
import type { CommandName } from './socket';
import { plainText } from './text';

/**
 * Guests: people without an account who come into a public webinar by its link, under a name of their
 * choosing. Their pass opens that one room as an attendee and nothing else: no REST endpoint accepts
 * it, and on the socket only the commands below run (the room's own table still applies inside).
 */
export const GUEST_COMMANDS = [
  'session:ping',
  'room:join',
  'room:leave',
  'media:create-transport',
  'media:connect-transport',
  'media:restart-ice',
  'media:consume',
  'media:resume-consumer',
  'media:set-preferred-layers',
  'stage:raise-hand',
  'stage:lower-hand',
  'chat:send',
  'chat:history',
  'qa:ask',
  'qa:upvote',
  'qa:unvote',
  'qa:list',
  'poll:vote',
  'poll:list',
  'reaction:send',
  // Captions are for everyone in the room; a guest never captions (only accounts are assigned).
  'captions:state',
] as const satisfies readonly CommandName[];

const GUEST_COMMAND_SET: ReadonlySet<string> = new Set(GUEST_COMMANDS);
export const guestMayRun = (command: string): boolean => GUEST_COMMAND_SET.has(command);

/** Rooms a guest may enter: public webinars. Members rooms and meetings (where decisions are taken) stay closed. */
export const admitsGuests = (room: { mode: 'meeting' | 'webinar'; access: 'members' | 'public' }): boolean =>
  room.mode === 'webinar' && room.access === 'public';

/** Guest passes one address may take per window: enough for a family or a reading room, not for a flood. */
export const GUEST_PASSES_PER_ADDRESS = 10;
export const GUEST_PASS_WINDOW_MINUTES = 10;

export const CreateGuestPassBody = z.strictObject({ displayName: plainText(1, 80) });
export type CreateGuestPassBody = z.input<typeof CreateGuestPassBody>;

export interface GuestPassDto {
  /** Goes in the socket handshake as `guestToken`; valid until `expiresAt` for this room only. */
  token: string;
  roomId: string;
  displayName: string;
  expiresAt: string;
}

/** What a guest sees before coming in: the same as the pre-join preview. */
export type GuestRoomPreviewDto = RoomPreviewDto;
