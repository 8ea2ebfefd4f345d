/** The governance feature's public entry: what the live room shows of a meeting. */
export { MeetingRoomPanel, RoomBallotOverlay, type RoomGovernance, useRoomGovernance } from './components/room-governance';
