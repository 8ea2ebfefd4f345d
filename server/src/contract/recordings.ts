import { z } from 'zod';

/**
 * Recording of a live room: a host starts and stops it; every stream is written as it arrives (no
 * live transcoding), and after the stop the tracks are composed into one MP4 and an HLS rendition
 * with an audio rendition per interpretation channel. Everyone in the room sees that it records.
 * Merged into socket.ts.
 */

/** The states of a recording, in the order they are reached (`failed` and `deleted` end it). */
export const RECORDING_STATUSES = ['recording', 'processing', 'ready', 'failed', 'deleted'] as const;
export type RecordingStatus = (typeof RECORDING_STATUSES)[number];

/** Why this server cannot record: FFmpeg (or ffprobe) is not installed. */
export const RECORDER_PROBLEMS = ['FFMPEG_MISSING', 'FFPROBE_MISSING'] as const;
export type RecorderProblem = (typeof RECORDER_PROBLEMS)[number];

/** One recording as the room's people see it. */
export interface RecordingView {
  recordingId: string;
  status: Exclude<RecordingStatus, 'deleted'>;
  startedAt: string;
  /** When recording stopped (processing and after); null while recording. */
  stoppedAt: string | null;
  /** Who started it. */
  startedBy: string | null;
  /** Streams being recorded now (or that were, once stopped). */
  tracks: number;
  /**
   * Streams whose recorder stopped unexpectedly and is not writing now. What was written before is
   * kept; the server starts the recorder again by itself, and a host can ask it to (`recording:resume`).
   */
  interrupted: number;
  /** Why composition failed (status `failed`). */
  failure: string | null;
}

/** The recording state of a room: whether it can record, and its current (or last) recording. */
export interface RoomRecording {
  available: boolean;
  /** Why recording is unavailable on this server; null when it is available. */
  problem: RecorderProblem | null;
  /** The recording under way, or the last one of this session (processing, ready, failed); null when none. */
  current: RecordingView | null;
}

/** What just happened, so the room can say it (a notice) besides showing the state. */
export const RECORDING_CHANGES = ['started', 'stopped', 'interrupted', 'resumed', 'ready', 'failed'] as const;
export type RecordingChange = (typeof RECORDING_CHANGES)[number];

/** Same shape as socket.ts's `clientRequestId` (which imports this file, so it cannot be imported here). */
const requestId = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/);

/**
 * How the composed video lays out the cameras: `grid` gives every camera an equal tile; `speaker` shows
 * whoever is speaking large and the others in a column. A screen share takes the main area in both.
 */
export const RECORDING_LAYOUTS = ['grid', 'speaker'] as const;
export type RecordingLayout = (typeof RECORDING_LAYOUTS)[number];

export const recordingCommandSchemas = {
  /**
   * Hosts: start recording the room. Starting while it records answers with the recording under way;
   * a retry with the same `clientRequestId` answers with the recording it started, even once stopped.
   * `layout` is the composed video's (default `grid`).
   */
  'recording:start': z.strictObject({ clientRequestId: requestId.optional(), layout: z.enum(RECORDING_LAYOUTS).optional() }),
  /** Hosts: stop recording; composition then runs in the background. */
  'recording:stop': z.strictObject({}),
  /** Hosts: start again the recorders of interrupted streams (the server also does it by itself, a few times). */
  'recording:resume': z.strictObject({}),
  /** Anyone in the room: the recording state. */
  'recording:state': z.strictObject({}),
} as const;

export interface RecordingResults {
  'recording:start': RoomRecording;
  'recording:stop': RoomRecording;
  'recording:resume': RoomRecording;
  'recording:state': RoomRecording;
}

export interface RecordingEvents {
  /** To everyone in the room: the recording state changed (`change` says how). */
  'recording:changed': (e: { recording: RoomRecording; change: RecordingChange }) => void;
}

/** The client route where a recording is found once composed. */
export const recordingPath = (recordingId: string): string => `/recordings/${recordingId}`;
