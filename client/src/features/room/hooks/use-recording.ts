import { useCallback, useEffect, useRef, useState } from 'react';
import { roomCan, type RecordingChange, type RecordingLayout, type RoomRecording, type RoomRole, type ServerEvents } from '@contract';
import { connectSocket, emitCommand } from '../../../lib/socket';
import type { RoomStatus } from '../session/room-session';

/** Something about the recording the room says once, until dismissed. */
export interface RecordingNotice {
  /** `joined`: you came into a room that records. */
  kind: RecordingChange | 'joined';
  recordingId: string;
  /** Why composition failed (`failed`). */
  failure: string | null;
}

export interface RecordingUi {
  /** null until the server has said (shortly after joining). */
  state: RoomRecording | null;
  /** This person may start and stop recording (the server's table says so too). */
  canManage: boolean;
  busy: boolean;
  notice: RecordingNotice | null;
  dismiss(): void;
  /** Start recording, the composed video in `layout`. */
  start(layout: RecordingLayout): Promise<void>;
  stop(): Promise<void>;
  resume(): Promise<void>;
}

/** Hosts start and stop recording; the room's permission table decides who that is. */
export const canManageRecording = (role: RoomRole | null, mode: 'meeting' | 'webinar'): boolean => role !== null && roomCan(role, 'recording.manage', mode);

const requestId = () => `rec-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/**
 * The room's recording as this person sees it: asked for on every (re)join, then kept up to date by
 * `recording:changed`. Each change becomes a notice (started, stopped, interrupted…), and a room that
 * records when you come in says so.
 */
export function useRecording(status: RoomStatus, role: RoomRole | null, mode: 'meeting' | 'webinar', onError: (e: unknown) => void): RecordingUi {
  const [state, setState] = useState<RoomRecording | null>(null);
  const [notice, setNotice] = useState<RecordingNotice | null>(null);
  const [busy, setBusy] = useState(false);
  /** The recording already announced in this page: a rejoin does not announce it again. */
  const announced = useRef<string | null>(null);

  useEffect(() => {
    const socket = connectSocket();
    const onChanged: ServerEvents['recording:changed'] = ({ recording, change }) => {
      setState(recording);
      const current = recording.current;
      if (!current) return;
      announced.current = current.recordingId;
      setNotice({ kind: change, recordingId: current.recordingId, failure: current.failure });
    };
    socket.on('recording:changed', onChanged);
    return () => {
      socket.off('recording:changed', onChanged);
    };
  }, []);

  useEffect(() => {
    if (status !== 'joined') return;
    let live = true;
    emitCommand('recording:state', {}).then(
      (recording) => {
        if (!live) return;
        setState(recording);
        const current = recording.current;
        if (current?.status === 'recording' && announced.current !== current.recordingId) {
          announced.current = current.recordingId;
          setNotice({ kind: 'joined', recordingId: current.recordingId, failure: null });
        }
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [status]);

  const run = useCallback(
    async (action: () => Promise<RoomRecording>) => {
      setBusy(true);
      try {
        setState(await action());
      } catch (e) {
        onError(e);
      } finally {
        setBusy(false);
      }
    },
    [onError],
  );

  return {
    state,
    canManage: canManageRecording(role, mode),
    busy,
    notice,
    dismiss: () => setNotice(null),
    start: (layout) => run(() => emitCommand('recording:start', { clientRequestId: requestId(), layout })),
    stop: () => run(() => emitCommand('recording:stop', {})),
    resume: () => run(() => emitCommand('recording:resume', {})),
  };
}
