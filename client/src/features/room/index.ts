/** The live room: pre-join, media session, stage, engagement panels. */
export { default as RoomPage } from './components/room-page';
/** A room's past sessions with captions to download (WebVTT), for the rooms list. */
export { CaptionsArchive } from './components/captions-archive';
