import { useEffect, useSyncExternalStore } from 'react';
import type { RoomSession, RoomSnapshot } from '../session/room-session';

export const useRoomSnapshot = (session: RoomSession): RoomSnapshot =>
  useSyncExternalStore(session.subscribe, session.snapshot);

const pendingLeave = new WeakMap<RoomSession, ReturnType<typeof setTimeout>>();

/**
 * Leaves the room when the view holding the session goes away (navigation, sign-out). The leave is
 * deferred by a tick so that React's development double-mount does not end a meeting that just began.
 */
export function useLeaveOnUnmount(session: RoomSession): void {
  useEffect(() => {
    clearTimeout(pendingLeave.get(session));
    return () => {
      pendingLeave.set(
        session,
        setTimeout(() => void session.leave(), 0),
      );
    };
  }, [session]);
}
