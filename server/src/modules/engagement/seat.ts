import { ROOM_ROLES, type RoomDto, type RoomRole } from '../../contract';
import type { LiveRoom, Peer } from '../rooms/live/live-room';
import { type RoomAction, roomCan } from '../rooms/room-permissions';

/** Where a command comes from: the caller's live room and their peer in it (RoomRegistry.seatOf). */
export interface Seat {
  room: LiveRoom;
  peer: Peer;
}

/** The roles allowed an action in this mode: who receives moderator-only events. */
export const rolesThatCan = (action: RoomAction, mode: RoomDto['mode']): RoomRole[] => ROOM_ROLES.filter((r) => roomCan(r, action, mode));
