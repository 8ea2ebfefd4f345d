import { ROOM_ROLES, type RoomDto, type RoomRole } from '../../contract';
import { type RoomAction, roomCan } from '../rooms/room-permissions';

/** The roles allowed an action in this mode: who receives moderator-only events. */
export const rolesThatCan = (action: RoomAction, mode: RoomDto['mode']): RoomRole[] => ROOM_ROLES.filter((r) => roomCan(r, action, mode));
