/** The live room: pre-join, media session, stage, engagement panels. */
export { default as RoomPage } from './components/room-page';
