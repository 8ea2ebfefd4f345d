/** The rooms feature's public entry: an organisation's rooms and a room's preview. */
export { useRoomPreview, useRooms } from './api/rooms';
export { RoomModeBadge } from './components/room-mode-badge';
