import type { RecordingStatus } from '../../contract/recordings';

/**
 * The life of a recording, the one place its status changes:
 *
 *   recording ──stop / finalise──▶ processing ──composed──▶ ready ──delete──▶ deleted
 *       │                              │
 *       └────────────fail──────────────┴──▶ failed ──delete──▶ deleted
 *
 * `stop` is a host's stop or the room closing; `finalise` is a recording found still "recording" by
 * a server that was not recording it (the previous process died): it is composed from what was
 * written. While recording, streams whose recorder died are an *interrupted* condition, not a status:
 * the recording goes on with the others and the interrupted ones come back (`resume`).
 */
export type RecordingEvent =
  | { type: 'stop' }
  | { type: 'finalise' }
  | { type: 'composed' }
  | { type: 'fail'; reason: string }
  | { type: 'interrupt'; track: string }
  | { type: 'resume'; track: string }
  | { type: 'delete' };

export interface RecordingState {
  status: RecordingStatus;
  /** Tracks whose recorder is down now (recording only). */
  interrupted: readonly string[];
  /** Why it failed (status `failed`). */
  failure: string | null;
}

export type Transition = { ok: true; state: RecordingState } | { ok: false; reason: string };

/** A recording as it starts. */
export const startedRecording = (): RecordingState => ({ status: 'recording', interrupted: [], failure: null });

const refuse = (state: RecordingState, event: RecordingEvent): Transition => ({ ok: false, reason: `cannot ${event.type} a recording that is ${state.status}` });

export function nextRecordingState(state: RecordingState, event: RecordingEvent): Transition {
  const to = (next: Partial<RecordingState>): Transition => ({ ok: true, state: { ...state, ...next } });
  switch (event.type) {
    case 'stop':
    case 'finalise':
      // Nothing is being written any more: whatever was interrupted is simply over.
      return state.status === 'recording' ? to({ status: 'processing', interrupted: [] }) : refuse(state, event);
    case 'composed':
      return state.status === 'processing' ? to({ status: 'ready' }) : refuse(state, event);
    case 'fail':
      return state.status === 'recording' || state.status === 'processing' ? to({ status: 'failed', interrupted: [], failure: event.reason }) : refuse(state, event);
    case 'interrupt':
      if (state.status !== 'recording') return refuse(state, event);
      return to({ interrupted: state.interrupted.includes(event.track) ? state.interrupted : [...state.interrupted, event.track] });
    case 'resume':
      if (state.status !== 'recording') return refuse(state, event);
      return to({ interrupted: state.interrupted.filter((t) => t !== event.track) });
    case 'delete':
      return state.status === 'ready' || state.status === 'failed' ? to({ status: 'deleted' }) : refuse(state, event);
  }
}

/** The state after `event`; throws on an illegal move (a bug: callers check the status they act on). */
export function mustMove(state: RecordingState, event: RecordingEvent): RecordingState {
  const t = nextRecordingState(state, event);
  if (!t.ok) throw new Error(t.reason);
  return t.state;
}

/** A status stored in the database, as a state to move from. */
export const storedRecording = (status: RecordingStatus, failure: string | null = null): RecordingState => ({ status, interrupted: [], failure });
