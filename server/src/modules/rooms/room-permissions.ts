import type { OrgRole, RoomRole } from '../../contract';
import { can } from '../organizations/org-permissions';

/** The room permission table lives in the contract, shared with the client. */
export { outranks, ROOM_ACTIONS, ROOM_PERMISSIONS, type RoomAction, roomCan } from '../../contract/room-permissions';

/**
 * The role a person walks into a room with: organisers (whoever may manage the organisation's rooms
 * now) host, everyone else attends. Only the current membership counts; having created the room gives
 * nothing once the creator is no longer an organiser.
 */
export const standingRoomRole = (orgRole: OrgRole | null): RoomRole => (can(orgRole, 'rooms.manage') ? 'host' : 'attendee');
